//go:build integration

package integration

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kafkatrace/kafkatrace/telemetry"
)

// A config file with one topic at 0 and one at 1: Jaeger gets every trace of
// the second and none of the first, while every message is still consumed.
func TestPerTopicSamplingReachesJaeger(t *testing.T) {
	run := runID()
	off, on := "audit-"+run, "payments-"+run
	createTopics(t, 3, off, on)
	service := "kt-sampling-" + run[:4]

	cfgPath := filepath.Join(t.TempDir(), "kafkatrace.yaml")
	require.NoError(t, os.WriteFile(cfgPath, []byte(fmt.Sprintf(`
service:
  name: %s
exporter:
  type: otlp
  endpoint: %s
  insecure: true
batch:
  schedule_delay: 100ms
sampling:
  default_ratio: 1
  rules:
    - {topic: %s, ratio: 0}
    - {topic: %s, ratio: 1}
`, service, otlpEndpoint(), off, on)), 0o600))
	p, err := telemetry.New(context.Background(), telemetry.WithConfigFile(cfgPath))
	require.NoError(t, err)
	t.Cleanup(func() { shutdown(t, p) })

	const perTopic = 5
	prod := newProducer(t, p, run)
	for i := 0; i < perTopic; i++ {
		require.NoError(t, produce(context.Background(), prod, off, fmt.Sprint("a", i)))
		require.NoError(t, produce(context.Background(), prod, on, fmt.Sprint("p", i)))
	}

	cons := newConsumer(t, p, run, "sampling-"+run)
	require.NoError(t, cons.SubscribeTopics([]string{off, on}, nil))
	var consumed atomic.Int32
	all := make(chan struct{})
	stop := runUntil(cons, func(ctx context.Context, m *kafka.Message) error {
		if consumed.Add(1) == 2*perTopic {
			close(all)
		}
		return nil
	})
	select {
	case <-all:
	case <-time.After(90 * time.Second):
		t.Fatalf("consumed %d of %d", consumed.Load(), 2*perTopic)
	}
	require.NoError(t, stop())
	shutdown(t, p)
	assert.Equal(t, int32(2*perTopic), consumed.Load(), "every message consumed, sampled or not")

	traces := waitForTraces(t, service, map[string]string{"test.run": run}, "the sampled topic's traces",
		func(ts []jaegerTrace) bool {
			complete := 0
			for _, tr := range ts {
				if len(tr.Spans) == 2 {
					complete++
				}
			}
			return complete >= perTopic
		})
	require.Len(t, traces, perTopic, "one trace per message on the sampled topic, none for the other")
	for _, tr := range traces {
		for _, s := range tr.Spans {
			dest, _ := s.tag("messaging.destination.name")
			assert.Equal(t, on, dest, "span %s of trace %s", s.OperationName, tr.TraceID)
		}
	}
	none, err := findTraces(context.Background(), service, map[string]string{"messaging.destination.name": off})
	require.NoError(t, err)
	assert.Empty(t, none, "nothing of the topic at ratio 0 reached Jaeger")
	assert.Zero(t, p.Stats().Dropped(), "no span dropped on the way")
}
