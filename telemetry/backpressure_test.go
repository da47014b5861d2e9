package telemetry

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/sampling"
)

// timeSpans starts a pipeline from cfg, creates and ends n Kafka spans
// through the global provider, shuts it down and returns how long the spans
// took and the final stats.
func timeSpans(t *testing.T, cfg Config, n int) (time.Duration, SpanStats) {
	t.Helper()
	shutdown, err := Start(context.Background(), WithConfig(cfg))
	require.NoError(t, err)
	tr := otel.Tracer("test")
	attrs := trace.WithAttributes(sampling.TopicKey.String("orders"))
	ctx := context.Background()

	begin := time.Now()
	for range n {
		_, span := tr.Start(ctx, "orders publish", attrs)
		span.End()
	}
	took := time.Since(begin)

	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_ = shutdown(sctx) // the export error is expected with the backend down
	return took, installed(t).Stats()
}

// With the backend down, producing and consuming must not slow down: the
// spans are dropped and counted instead of waited for.
func TestBackendDownDoesNotBlock(t *testing.T) {
	errs := captureErrors(t)
	const n = 100_000

	none, _ := timeSpans(t, noneConfig(), n)

	down := DefaultConfig()
	down.Exporter = Exporter{Type: ExporterOTLP, Endpoint: "127.0.0.1:1", Insecure: true, Timeout: 200 * time.Millisecond}
	down.Batch = Batch{MaxQueueSize: 8, MaxExportBatchSize: 8, ScheduleDelay: 10 * time.Millisecond, ExportTimeout: 200 * time.Millisecond}
	took, stats := timeSpans(t, down, n)

	t.Logf("none: %v, otlp to a closed port: %v, stats: %+v", none, took, stats)
	assert.Less(t, took, 3*none+time.Second, "ending spans waited for the exporter")
	assert.Positive(t, stats.QueueFull, "a tiny queue in front of a dead backend must drop")
	assert.Positive(t, stats.Dropped())
	assert.Zero(t, stats.Exported)
	assert.Equal(t, uint64(n), stats.Dropped(), "every span is accounted for once the pipeline is shut down")

	select {
	case err := <-errs:
		assert.Error(t, err, "failed exports are reported through otel.Handle")
	default:
		t.Error("no export error reached otel.Handle")
	}
}
