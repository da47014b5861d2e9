package interceptor_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/kafkatrace/kafkatrace/sampling"
	"github.com/kafkatrace/kafkatrace/telemetry"
)

func spansOn(sr *tracetest.SpanRecorder, topic string) int {
	n := 0
	for _, s := range sr.Ended() {
		if attrs(s)["messaging.destination.name"].AsString() == topic {
			n++
		}
	}
	return n
}

// A topic at ratio 0 produces and consumes normally with no span recorded,
// yet propagates an unsampled traceparent; a topic at 1 records everything.
func TestTopicRatiosThroughInterceptor(t *testing.T) {
	off, on := uniqueTopic(t)+"-audit", uniqueTopic(t)+"-payments"
	mc := mockCluster(t, off, 1)
	require.NoError(t, mc.CreateTopic(on, 1, 1))
	rules, err := sampling.Compile([]sampling.Rule{{Topic: off, Ratio: 0}, {Topic: on, Ratio: 1}}, 1)
	require.NoError(t, err)
	tp, sr := recorder(sdktrace.WithSampler(sampling.New(rules)))

	const n = 50
	p := newProducer(t, mc.BootstrapServers(), tp, nil)
	dc := make(chan kafka.Event, 2*n)
	for i := 0; i < n; i++ {
		for _, topic := range []string{off, on} {
			require.NoError(t, p.Produce(&kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0}}, dc))
		}
	}
	for i := 0; i < 2*n; i++ {
		require.NoError(t, (<-dc).(*kafka.Message).TopicPartition.Error)
	}

	c := newConsumer(t, mc.BootstrapServers(), uniqueTopic(t), tp, nil)
	require.NoError(t, c.SubscribeTopics([]string{off, on}, nil))
	var consumed atomic.Int32
	stop := runConsumer(c, func(ctx context.Context, m *kafka.Message) error {
		consumed.Add(1)
		return nil
	})
	require.Eventually(t, func() bool { return consumed.Load() == 2*n }, time.Minute, 5*time.Millisecond, "every message consumed")
	require.NoError(t, stop())
	require.NoError(t, c.Close())

	assert.Zero(t, spansOn(sr, off), "nothing recorded for the topic at 0")
	assert.Equal(t, 2*n, spansOn(sr, on), "send + process recorded for every message at 1")
	for _, m := range readAll(t, mc.BootstrapServers(), off, 1, n) {
		v, count := header(m, "traceparent")
		require.Equal(t, 1, count)
		assert.Regexp(t, `^00-[0-9a-f]{32}-[0-9a-f]{16}-00$`, v, "unsampled context still propagated")
	}
}

// Editing the config file while a producer runs changes the ratio without a
// restart; a broken edit keeps the rules in force.
func TestSamplingReloadWhileProducing(t *testing.T) {
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	path := filepath.Join(t.TempDir(), "kafkatrace.yaml")
	write := func(ratio string) {
		tmp := path + ".tmp"
		require.NoError(t, os.WriteFile(tmp, []byte(fmt.Sprintf(
			"exporter: {type: none}\nsampling:\n  rules:\n    - {topic: %q, ratio: %s}\n", topic, ratio)), 0o600))
		require.NoError(t, os.Rename(tmp, path))
	}
	write("0")
	reloadErrs := make(chan error, 10)
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		select {
		case reloadErrs <- err:
		default:
		}
	}))
	defer otel.SetErrorHandler(otel.ErrorHandlerFunc(func(error) {}))

	prov, err := telemetry.New(context.Background(), telemetry.WithConfigFile(path),
		telemetry.WithReloadInterval(20*time.Millisecond), telemetry.WithReloadSignals())
	require.NoError(t, err)
	defer func() { require.NoError(t, prov.Shutdown(context.Background())) }()
	sr := tracetest.NewSpanRecorder()
	prov.RegisterSpanProcessor(sr)

	p := newProducer(t, mc.BootstrapServers(), prov, kafka.ConfigMap{"go.delivery.reports": false})
	var produced atomic.Int64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := p.Produce(&kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0}}, nil); err == nil {
				produced.Add(1)
			}
			time.Sleep(time.Millisecond) // a steady trickle of messages
		}
	}()
	defer func() { close(stop); <-done }()

	require.Eventually(t, func() bool { return produced.Load() > 50 }, 10*time.Second, time.Millisecond)
	assert.Zero(t, len(sr.Started()), "ratio 0: nothing sampled")

	write("1")
	require.Eventually(t, func() bool { return len(sr.Started()) > 20 }, 10*time.Second, time.Millisecond,
		"the new ratio applies without restart")

	write("7") // out of range: rejected
	select {
	case err := <-reloadErrs:
		assert.ErrorContains(t, err, "ratio")
	case <-time.After(10 * time.Second):
		t.Fatal("the broken edit was never reported")
	}
	before := len(sr.Started())
	require.Eventually(t, func() bool { return len(sr.Started()) > before+20 }, 10*time.Second, time.Millisecond,
		"the old rules (ratio 1) stay in force")
}

// With the exporter pointed at a closed port, producing 100k messages takes
// no longer than with no exporter beyond a generous bound, spans are dropped
// and counted, and memory stays bounded.
func TestExporterDownDoesNotSlowProducing(t *testing.T) {
	a := account(t)
	const n = 100_000
	measure := func(exp telemetry.Exporter) (time.Duration, *telemetry.Provider, uint64) {
		topic := uniqueTopic(t)
		mc := mockCluster(t, topic, 1)
		cfg := telemetry.DefaultConfig()
		cfg.Exporter.Type, cfg.Exporter.Endpoint, cfg.Exporter.Insecure = exp.Type, exp.Endpoint, true
		cfg.Exporter.Timeout = 500 * time.Millisecond
		prov, err := telemetry.New(context.Background(), telemetry.WithConfig(cfg))
		require.NoError(t, err)
		prov.RegisterSpanProcessor(a.ledger)
		p := newProducer(t, mc.BootstrapServers(), prov, kafka.ConfigMap{"go.delivery.reports": false, "linger.ms": 20})
		var peak runtime.MemStats
		start := time.Now()
		for i := 0; i < n; i++ {
			for {
				err := p.Produce(&kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0}, Value: []byte("x")}, nil)
				var kerr kafka.Error
				if errors.As(err, &kerr) && kerr.Code() == kafka.ErrQueueFull {
					p.Flush(10) // librdkafka's own back-pressure, same for both runs
					continue
				}
				require.NoError(t, err)
				break
			}
		}
		require.Zero(t, p.Flush(60_000))
		elapsed := time.Since(start)
		runtime.ReadMemStats(&peak)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = prov.Shutdown(ctx)
		return elapsed, prov, peak.HeapInuse
	}
	tNone, _, _ := measure(telemetry.Exporter{Type: telemetry.ExporterNone})
	tDown, down, heap := measure(telemetry.Exporter{Type: telemetry.ExporterOTLP, Endpoint: "127.0.0.1:1"})
	t.Logf("100k messages: exporter none %v, exporter down %v (%.2fx); dropped %d spans; heap in use %d MiB",
		tNone, tDown, float64(tDown)/float64(tNone), down.Stats().Dropped(), heap>>20)
	assert.Less(t, tDown, 3*tNone+2*time.Second, "a dead exporter must not slow the producer")
	assert.Positive(t, down.Stats().Dropped(), "dropped spans are counted")
	assert.Less(t, heap, uint64(512<<20), "memory stays bounded")
	a.sent.Store(2 * n)
	a.note("none=%v down=%v dropped=%d", tNone.Round(time.Millisecond), tDown.Round(time.Millisecond), down.Stats().Dropped())
}
