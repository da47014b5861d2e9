package cli_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/baggage"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/interceptor"
	"github.com/kafkatrace/kafkatrace/internal/cli"
)

// tracedMessages produces n messages with keys k0, k1, ... through the
// interceptor, under a remote parent carrying tracestate and with baggage,
// and returns their send spans in offset order.
func tracedMessages(t *testing.T, bootstrap, topic string, n int) []sdktrace.ReadOnlySpan {
	t.Helper()
	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	p, err := interceptor.NewProducer(&kafka.ConfigMap{"bootstrap.servers": bootstrap}, interceptor.WithTracerProvider(tp))
	require.NoError(t, err)
	defer p.Close()

	ts, err := trace.ParseTraceState("vendor=opaque-1,other@tenant=v2")
	require.NoError(t, err)
	parent := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID{0x0a, 0xf7, 0x65, 0x19, 0x16, 0xcd, 0x43, 0xdd, 0x84, 0x48, 0xeb, 0x21, 0x1c, 0x80, 0x31, 0x9c},
		SpanID:     trace.SpanID{0xb7, 0xad, 0x6b, 0x71, 0x69, 0x20, 0x33, 0x31},
		TraceFlags: trace.FlagsSampled, TraceState: ts, Remote: true,
	})
	m1, err := baggage.NewMemberRaw("user", "alice smith")
	require.NoError(t, err)
	m2, err := baggage.NewMemberRaw("tenant", "acme")
	require.NoError(t, err)
	bag, err := baggage.New(m1, m2)
	require.NoError(t, err)
	ctx := baggage.ContextWithBaggage(trace.ContextWithRemoteSpanContext(context.Background(), parent), bag)

	dc := make(chan kafka.Event, 1)
	for i := 0; i < n; i++ {
		msg := &kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0},
			Key: []byte("k" + strconv.Itoa(i)), Value: []byte("v")}
		require.NoError(t, p.ProduceContext(ctx, msg, dc))
		require.NoError(t, (<-dc).(*kafka.Message).TopicPartition.Error)
	}
	spans := sr.Ended()
	require.Len(t, spans, n)
	return spans
}

// Messages produced by the interceptor: inspect decodes their traceparent
// (the send span), tracestate and baggage, in human form and in JSON.
func TestInspectInterceptorMessages(t *testing.T) {
	topic := unique(t, "t")
	mc := mockCluster(t, topic, 2)
	spans := tracedMessages(t, mc.BootstrapServers(), topic, 3)
	bs := mc.BootstrapServers()

	out := run(t, "inspect", "-b", bs, "-t", topic, "--json", "--show-key", "--jaeger", "http://jaeger:16686/").ok(t)
	recs := jsonLines(t, out)
	require.Len(t, recs, 3, "the 3 messages of partition 0 (partition 1 is empty)")
	for i, r := range recs {
		sc := spans[i].SpanContext()
		assert.Equal(t, topic, get(t, r, "topic"))
		assert.EqualValues(t, 0, get(t, r, "partition"))
		assert.EqualValues(t, i, get(t, r, "offset"))
		assert.Equal(t, `k`+strconv.Itoa(i), get(t, r, "key"))
		assert.Equal(t, "create", get(t, r, "timestamp_type"))
		ts, err := time.Parse(time.RFC3339Nano, get(t, r, "timestamp").(string))
		require.NoError(t, err)
		assert.WithinDuration(t, time.Now(), ts, time.Minute)
		assert.GreaterOrEqual(t, get(t, r, "age_ms").(float64), 0.0)
		assert.EqualValues(t, 3, get(t, r, "headers"))
		assert.EqualValues(t, 0, get(t, r, "other_headers"))

		tp := get(t, r, "trace", "traceparent")
		assert.Equal(t, true, get(t, tp, "valid"))
		assert.Equal(t, "0af7651916cd43dd8448eb211c80319c", get(t, tp, "trace_id"))
		assert.Equal(t, sc.TraceID().String(), get(t, tp, "trace_id"))
		assert.Equal(t, sc.SpanID().String(), get(t, tp, "parent_span_id"), "the send span is the consumer's parent")
		assert.Equal(t, true, get(t, tp, "sampled"))
		assert.Equal(t, "01", get(t, tp, "flags"))
		assert.Equal(t, "traceparent", get(t, r, "trace", "trace_id_from"))
		assert.Equal(t, "http://jaeger:16686/trace/0af7651916cd43dd8448eb211c80319c", get(t, r, "trace", "url"))

		assert.Equal(t, []any{
			map[string]any{"key": "vendor", "value": "opaque-1"},
			map[string]any{"key": "other@tenant", "value": "v2"},
		}, get(t, r, "trace", "tracestate", "members"))
		assert.ElementsMatch(t, []any{
			map[string]any{"key": "user", "value": "alice smith"},
			map[string]any{"key": "tenant", "value": "acme"},
		}, get(t, r, "trace", "baggage", "members"), "percent-decoded")
	}

	human := run(t, "inspect", "-b", bs, "-t", topic, "-p", "0", "--last", "1", "--show-key").ok(t)
	sc := spans[2].SpanContext()
	assert.Contains(t, human, topic+" [0] @ 2  ")
	assert.Contains(t, human, "(age ")
	assert.Contains(t, human, "  key            \"k2\"\n")
	assert.Contains(t, human, "  headers        3 (0 not trace context)\n")
	assert.Contains(t, human, "  traceparent    trace "+sc.TraceID().String()+"  parent "+sc.SpanID().String()+"  sampled\n")
	assert.Contains(t, human, "  tracestate     vendor=opaque-1, other@tenant=v2\n")
	assert.Contains(t, human, "  baggage        ")
	assert.Contains(t, human, "user=alice smith")
	assert.NotContains(t, human, " @ 1 ", "--last 1")
	assert.NotContains(t, human, "url", "no --jaeger")
	t.Logf("inspect output:\n%s", human)

	// -o picks one message; without --show-key no key.
	one := jsonLines(t, run(t, "inspect", "-b", bs, "-t", topic, "-p", "0", "-o", "1", "--json").ok(t))
	require.Len(t, one, 1)
	assert.EqualValues(t, 1, get(t, one[0], "offset"))
	assert.NotContains(t, one[0], "key")
	t.Logf("inspect --json line: %s", strings.SplitN(out, "\n", 2)[0])
}

// --follow prints messages as they arrive and stops cleanly when its
// context ends.
func TestInspectFollow(t *testing.T) {
	topic := unique(t, "t")
	mc := mockCluster(t, topic, 1)
	p := rawProducer(t, mc.BootstrapServers(), nil)
	produce(t, p, topic, &kafka.Message{Value: []byte("a")})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := newNotifyBuffer()
	errOut := newNotifyBuffer()
	done := make(chan int)
	go func() {
		done <- cli.MainContext(ctx, []string{"inspect", "-b", mc.BootstrapServers(), "-t", topic, "--last", "1", "--follow"}, out, errOut)
	}()
	out.waitFor(t, topic+" [0] @ 0 ", 15*time.Second)
	produce(t, p, topic, &kafka.Message{Value: []byte("b"), Headers: []kafka.Header{{Key: "b3", Value: []byte("1")}}})
	out.waitFor(t, topic+" [0] @ 1 ", 15*time.Second)
	cancel()
	select {
	case code := <-done:
		assert.Equal(t, 0, code, "stderr: %s", errOut.String())
	case <-time.After(10 * time.Second):
		t.Fatal("--follow did not stop when its context ended")
	}
	assert.Contains(t, out.String(), "  b3             no IDs, sampled\n")
	assert.Empty(t, errOut.String())
}
