package telemetry

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/sampling"
)

// New builds independent providers (one per service in one process) and
// leaves the globals alone.
func TestNewLeavesGlobalsAlone(t *testing.T) {
	before := otel.GetTracerProvider()
	expA, expB := &recordingExporter{}, &recordingExporter{}
	cfg := DefaultConfig()
	cfg.Service.Name = "orders"
	a, err := New(context.Background(), WithConfig(cfg), withExporter(expA))
	require.NoError(t, err)
	cfg.Service.Name = "payments"
	cfg.Sampling.Rules = []Rule{{Topic: "audit", Ratio: 0}}
	b, err := New(context.Background(), WithConfig(cfg), withExporter(expB))
	require.NoError(t, err)
	assert.Same(t, before, otel.GetTracerProvider())

	_, span := a.Tracer("t").Start(context.Background(), "x")
	span.End()
	_, span = b.Tracer("t").Start(context.Background(), "y",
		trace.WithAttributes(sampling.TopicKey.String("audit")))
	span.End()
	require.NoError(t, a.Shutdown(context.Background()))
	require.NoError(t, b.Shutdown(context.Background()))
	require.NoError(t, a.Shutdown(context.Background()), "second Shutdown returns the first result")

	require.Len(t, expA.GetSpans(), 1)
	assert.Equal(t, "orders", serviceName(expA.GetSpans()[0].Resource().Attributes()))
	assert.Empty(t, expB.GetSpans(), "b's own rules dropped its audit span")
	assert.Equal(t, uint64(1), a.Stats().Exported)
	assert.True(t, b.Sampler().Rules().Untrusted("audit") == false)
}

func serviceName(attrs []attribute.KeyValue) string {
	for _, kv := range attrs {
		if kv.Key == "service.name" {
			return kv.Value.AsString()
		}
	}
	return ""
}
