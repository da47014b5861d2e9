//go:build integration

package integration

import (
	"context"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/telemetry"
)

// A message's journey orders → payments → notifications, three services
// with their own TracerProviders, each consumer producing with its handler's
// ctx through Run, must be one trace in Jaeger with the right shape. Checked
// once through OTLP gRPC and once through the Jaeger thrift HTTP exporter.
func TestPipelineTraceInJaeger(t *testing.T) {
	for _, tc := range []struct {
		name string
		exp  telemetry.Exporter
	}{
		{"otlp-grpc", telemetry.Exporter{Type: telemetry.ExporterOTLP, Endpoint: otlpEndpoint(), Insecure: true}},
		{"jaeger-thrift", telemetry.Exporter{Type: telemetry.ExporterJaeger, Endpoint: collectorURL()}},
	} {
		t.Run(tc.name, func(t *testing.T) { testPipeline(t, tc.exp) })
	}
}

func testPipeline(t *testing.T, exp telemetry.Exporter) {
	run := runID()
	svc := func(name string) string { return "kt-" + name }
	ordersTopic, paymentsTopic, notifTopic := "orders-"+run, "payments-"+run, "notifications-"+run
	createTopics(t, 3, ordersTopic, paymentsTopic, notifTopic)

	orders := newService(t, svc("orders"), exp)
	payments := newService(t, svc("payments"), exp)
	notifications := newService(t, svc("notifications"), exp)

	// payments: consume orders, produce payments with the handler's ctx.
	payProd := newProducer(t, payments, run)
	payCons := newConsumer(t, payments, run, "payments-"+run)
	require.NoError(t, payCons.Subscribe(ordersTopic, nil))
	stopPay := runUntil(payCons, func(ctx context.Context, m *kafka.Message) error {
		return produce(ctx, payProd, paymentsTopic, string(m.Key))
	})

	// notifications: consume payments, produce notifications.
	notProd := newProducer(t, notifications, run)
	notCons := newConsumer(t, notifications, run, "notifications-"+run)
	require.NoError(t, notCons.Subscribe(paymentsTopic, nil))
	done := make(chan string, 1)
	stopNot := runUntil(notCons, func(ctx context.Context, m *kafka.Message) error {
		err := produce(ctx, notProd, notifTopic, string(m.Key))
		done <- trace.SpanContextFromContext(ctx).TraceID().String()
		return err
	})

	// orders: a checkout span, and the order message produced under it.
	ordProd := newProducer(t, orders, run)
	ctx, root := orders.Tracer("checkout").Start(context.Background(), "checkout")
	require.NoError(t, produce(ctx, ordProd, ordersTopic, "order-1"))
	root.End()
	traceID := root.SpanContext().TraceID().String()

	select {
	case got := <-done:
		require.Equal(t, traceID, got, "the notifications handler runs in the checkout's trace")
	case <-time.After(90 * time.Second):
		t.Fatal("the message never reached notifications")
	}
	require.NoError(t, stopPay())
	require.NoError(t, stopNot())
	for _, p := range []*telemetry.Provider{orders, payments, notifications} {
		shutdown(t, p) // flush to Jaeger
	}

	want := map[string]string{ // operation -> span.kind
		"checkout":                 "internal",
		"send " + ordersTopic:      "producer",
		"process " + ordersTopic:   "consumer",
		"send " + paymentsTopic:    "producer",
		"process " + paymentsTopic: "consumer",
		"send " + notifTopic:       "producer",
	}
	traces := waitForTraces(t, svc("orders"), map[string]string{"test.run": run}, "the pipeline trace",
		func(ts []jaegerTrace) bool {
			for _, tr := range ts {
				if tr.TraceID == traceID && len(tr.Spans) >= len(want) {
					return true
				}
			}
			return false
		})
	var tr jaegerTrace
	for _, x := range traces {
		if x.TraceID == traceID {
			tr = x
		}
	}
	require.Len(t, tr.Spans, len(want), "exactly the expected spans")

	byName := map[string]jaegerSpan{}
	services := map[string]string{}
	for _, s := range tr.Spans {
		require.Equal(t, traceID, s.TraceID, "one trace ID")
		byName[s.OperationName] = s
		services[s.OperationName] = tr.Processes[s.ProcessID].ServiceName
		kind, _ := s.tag("span.kind")
		if want[s.OperationName] == "internal" {
			assert.Contains(t, []string{"", "internal"}, kind, s.OperationName)
		} else {
			assert.Equal(t, want[s.OperationName], kind, "kind of %s", s.OperationName)
		}
	}
	for name := range want {
		require.Contains(t, byName, name)
	}
	assert.Equal(t, svc("orders"), services["send "+ordersTopic])
	assert.Equal(t, svc("payments"), services["process "+ordersTopic])
	assert.Equal(t, svc("payments"), services["send "+paymentsTopic])
	assert.Equal(t, svc("notifications"), services["process "+paymentsTopic])
	assert.Equal(t, svc("notifications"), services["send "+notifTopic])

	// Parents: send under checkout; each process span under its send span;
	// each downstream send under the process span that made it.
	parentOf := func(child, parent string) {
		t.Helper()
		assert.Equal(t, byName[parent].SpanID, byName[child].parent(), "%s is a child of %s", child, parent)
	}
	parentOf("send "+ordersTopic, "checkout")
	parentOf("process "+ordersTopic, "send "+ordersTopic)
	parentOf("send "+paymentsTopic, "process "+ordersTopic)
	parentOf("process "+paymentsTopic, "send "+paymentsTopic)
	parentOf("send "+notifTopic, "process "+paymentsTopic)

	// Attributes.
	for _, name := range []string{"process " + ordersTopic, "process " + paymentsTopic} {
		s := byName[name]
		for _, key := range []string{"messaging.destination.partition.id", "messaging.kafka.offset", "messaging.consumer.group.name", "messaging.system"} {
			_, ok := s.tag(key)
			assert.True(t, ok, "%s has %s", name, key)
		}
	}
	for _, name := range []string{"send " + ordersTopic, "send " + paymentsTopic, "send " + notifTopic} {
		for _, key := range []string{"messaging.destination.partition.id", "messaging.kafka.offset"} {
			_, ok := byName[name].tag(key)
			assert.True(t, ok, "%s has %s (from the delivery report)", name, key)
		}
	}
	group, _ := byName["process "+ordersTopic].tag("messaging.consumer.group.name")
	assert.Equal(t, "payments-"+run, group)

	// Durations nest: a handler's send lies within its process span, which
	// starts after the message's own send started.
	within := func(inner, outer string) {
		t.Helper()
		i, o := byName[inner], byName[outer]
		assert.GreaterOrEqual(t, i.StartTime, o.StartTime, "%s starts within %s", inner, outer)
		assert.LessOrEqual(t, i.end(), o.end(), "%s ends within %s", inner, outer)
	}
	within("send "+ordersTopic, "checkout")
	within("send "+paymentsTopic, "process "+ordersTopic)
	within("send "+notifTopic, "process "+paymentsTopic)
	after := func(later, earlier string) {
		t.Helper()
		assert.GreaterOrEqual(t, byName[later].StartTime, byName[earlier].StartTime, "%s starts after %s", later, earlier)
	}
	after("process "+ordersTopic, "send "+ordersTopic)
	after("process "+paymentsTopic, "send "+paymentsTopic)
	t.Logf("trace %s: %d spans across %d services", traceID, len(tr.Spans), len(tr.Processes))
}
