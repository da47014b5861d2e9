package interceptor_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var topicSeq atomic.Int64

// uniqueTopic returns a topic name no other test uses.
func uniqueTopic(t *testing.T) string {
	return fmt.Sprintf("t%d-%s", topicSeq.Add(1), t.Name())
}

// mockCluster starts a one-broker in-process cluster with topic created
// with the given partitions, closed when the test ends.
func mockCluster(t *testing.T, topic string, partitions int) *kafka.MockCluster {
	t.Helper()
	mc, err := kafka.NewMockCluster(1)
	require.NoError(t, err)
	t.Cleanup(mc.Close)
	if topic != "" {
		require.NoError(t, mc.CreateTopic(topic, partitions, 1))
	}
	return mc
}

// recorder returns a provider that samples everything and records spans.
func recorder(opts ...sdktrace.TracerProviderOption) (*sdktrace.TracerProvider, *tracetest.SpanRecorder) {
	sr := tracetest.NewSpanRecorder()
	opts = append([]sdktrace.TracerProviderOption{sdktrace.WithSpanProcessor(sr)}, opts...)
	return sdktrace.NewTracerProvider(opts...), sr
}

// openSpans is the number of spans started but not ended.
func openSpans(sr *tracetest.SpanRecorder) int {
	return len(sr.Started()) - len(sr.Ended())
}

// readAll consumes n messages of topic from the beginning with a plain
// confluent-kafka-go consumer (no group), so tests see what is on the wire.
func readAll(t *testing.T, bootstrap, topic string, partitions, n int) []*kafka.Message {
	t.Helper()
	c, err := kafka.NewConsumer(&kafka.ConfigMap{
		"bootstrap.servers": bootstrap, "group.id": "reader", "enable.auto.commit": false,
	})
	require.NoError(t, err)
	defer c.Close()
	var tps []kafka.TopicPartition
	for p := 0; p < partitions; p++ {
		tps = append(tps, kafka.TopicPartition{Topic: &topic, Partition: int32(p), Offset: kafka.OffsetBeginning})
	}
	require.NoError(t, c.Assign(tps))
	var out []*kafka.Message
	deadline := time.Now().Add(30 * time.Second)
	for len(out) < n && time.Now().Before(deadline) {
		m, err := c.ReadMessage(100 * time.Millisecond)
		if err == nil {
			out = append(out, m)
		}
	}
	require.Len(t, out, n, "messages on the wire")
	return out
}

func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

func header(m *kafka.Message, key string) (string, int) {
	v, n := "", 0
	for _, h := range m.Headers {
		if h.Key == key {
			v, n = string(h.Value), n+1
		}
	}
	return v, n
}
