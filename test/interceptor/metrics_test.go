package interceptor_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/kafkatrace/kafkatrace/interceptor"
)

// meters is a MeterProvider whose measurements a test reads on demand.
type meters struct {
	reader *sdkmetric.ManualReader
	mp     *sdkmetric.MeterProvider
}

func newMeters(t *testing.T) meters {
	r := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(r))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	return meters{r, mp}
}

// point is one data point: its attributes, and its value (a sum or gauge)
// or count (a histogram).
type point struct {
	attrs map[string]string
	value int64
	count uint64
	sum   float64
}

// collect returns the data points of the named instrument, and its unit
// and description.
func (m meters) collect(t *testing.T, name string) (pts []point, unit, desc string) {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, m.reader.Collect(context.Background(), &rm))
	for _, sm := range rm.ScopeMetrics {
		for _, md := range sm.Metrics {
			if md.Name != name {
				continue
			}
			unit, desc = md.Unit, md.Description
			switch d := md.Data.(type) {
			case metricdata.Sum[int64]:
				require.True(t, d.IsMonotonic, "%s is a counter", name)
				for _, dp := range d.DataPoints {
					pts = append(pts, point{attrs: attrMap(dp.Attributes), value: dp.Value})
				}
			case metricdata.Gauge[int64]:
				for _, dp := range d.DataPoints {
					pts = append(pts, point{attrs: attrMap(dp.Attributes), value: dp.Value})
				}
			case metricdata.Histogram[float64]:
				for _, dp := range d.DataPoints {
					pts = append(pts, point{attrs: attrMap(dp.Attributes), count: dp.Count, sum: dp.Sum})
					assert.Equal(t, []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10},
						dp.Bounds, "%s: the conventions' advised buckets", name)
				}
			default:
				t.Fatalf("%s: unexpected data %T", name, md.Data)
			}
		}
	}
	return pts, unit, desc
}

func attrMap(s attribute.Set) map[string]string {
	m := map[string]string{}
	for _, kv := range s.ToSlice() {
		m[string(kv.Key)] = kv.Value.String()
	}
	return m
}

// total adds the values (counters) or counts (histograms) of the points
// whose attributes include want.
func total(pts []point, want map[string]string) (n int64) {
	for _, p := range pts {
		match := true
		for k, v := range want {
			if p.attrs[k] != v {
				match = false
			}
		}
		if match {
			n += p.value + int64(p.count)
		}
	}
	return n
}

func TestMetricsProduce(t *testing.T) {
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	tp, _ := recorder(sdktrace.WithSampler(sdktrace.NeverSample())) // metrics do not depend on sampling
	m := newMeters(t)
	p := newProducer(t, mc.BootstrapServers(), tp, nil, interceptor.WithMeterProvider(m.mp))
	const n = 10
	dc := make(chan kafka.Event, n)
	for i := 0; i < n; i++ {
		require.NoError(t, p.Produce(&kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0}}, dc))
	}
	for i := 0; i < n; i++ {
		require.NoError(t, (<-dc).(*kafka.Message).TopicPartition.Error)
	}

	sent, unit, desc := m.collect(t, "messaging.client.sent.messages")
	assert.Equal(t, "{message}", unit)
	assert.Equal(t, "Number of messages producer attempted to send to the broker.", desc)
	require.Len(t, sent, 1)
	assert.Equal(t, int64(n), sent[0].value)
	assert.Equal(t, map[string]string{
		"messaging.system": "kafka", "messaging.operation.name": "send", "messaging.operation.type": "send",
		"messaging.destination.name": topic, "messaging.destination.partition.id": "0",
		"server.address": "localhost",
	}, withoutPort(sent[0].attrs))

	dur, unit, _ := m.collect(t, "messaging.client.operation.duration")
	assert.Equal(t, "s", unit)
	assert.Equal(t, int64(n), total(dur, map[string]string{"messaging.operation.name": "send"}))
}

// withoutPort drops server.address's exact value (the mock cluster's host
// varies) but keeps the key.
func withoutPort(a map[string]string) map[string]string {
	if _, ok := a["server.address"]; ok {
		a["server.address"] = "localhost"
	}
	return a
}

func TestMetricsProduceFailure(t *testing.T) {
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	tp, _ := recorder()
	m := newMeters(t)
	p := newProducer(t, mc.BootstrapServers(), tp, kafka.ConfigMap{"message.timeout.ms": 300},
		interceptor.WithMeterProvider(m.mp))
	require.NoError(t, mc.SetBrokerDown(1))
	dc := make(chan kafka.Event, 3)
	for i := 0; i < 3; i++ {
		require.NoError(t, p.Produce(&kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0}}, dc))
	}
	for i := 0; i < 3; i++ {
		require.Error(t, (<-dc).(*kafka.Message).TopicPartition.Error)
	}
	sent, _, _ := m.collect(t, "messaging.client.sent.messages")
	assert.Equal(t, int64(3), total(sent, map[string]string{"error.type": "Local: Message timed out"}),
		"failed sends counted with error.type: %v", sent)
	assert.Equal(t, int64(0), total(sent, map[string]string{"error.type": ""}))

	// The failed sends are timed too, Produce to the failed report, with the
	// same attributes and error.type.
	dur, unit, _ := m.collect(t, "messaging.client.operation.duration")
	assert.Equal(t, "s", unit)
	require.Len(t, dur, 1, "one attribute set: every send failed alike: %v", dur)
	assert.Equal(t, uint64(3), dur[0].count)
	assert.Equal(t, map[string]string{
		"messaging.system": "kafka", "messaging.operation.name": "send", "messaging.operation.type": "send",
		"messaging.destination.name": topic, "messaging.destination.partition.id": "0",
		"server.address": "localhost", "error.type": "Local: Message timed out",
	}, withoutPort(dur[0].attrs))
	// message.timeout.ms is 300: each send waited at least that long.
	assert.GreaterOrEqual(t, dur[0].sum, 3*0.3, "Produce to the timed-out report")
}

func TestMetricsPoll(t *testing.T) {
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	tp, _ := recorder()
	produceN(t, mc.BootstrapServers(), topic, tp, 5, nil)
	m := newMeters(t)
	group := uniqueTopic(t)
	c := newConsumer(t, mc.BootstrapServers(), group, tp, nil, interceptor.WithMeterProvider(m.mp))
	defer c.Close()
	require.NoError(t, c.Subscribe(topic, nil))
	for got := 0; got < 5; {
		if _, err := c.ReadMessage(10 * time.Second); err == nil {
			got++
		}
	}
	consumed, unit, _ := m.collect(t, "messaging.client.consumed.messages")
	assert.Equal(t, "{message}", unit)
	assert.Equal(t, int64(5), total(consumed, map[string]string{
		"messaging.operation.name": "receive", "messaging.operation.type": "receive",
		"messaging.destination.name": topic, "messaging.consumer.group.name": group,
	}))
	dur, _, _ := m.collect(t, "messaging.client.operation.duration")
	assert.Equal(t, int64(5), total(dur, map[string]string{"messaging.operation.name": "receive"}))
	queue, unit, _ := m.collect(t, "kafkatrace.message.time_in_queue")
	assert.Equal(t, "s", unit)
	assert.Equal(t, int64(5), total(queue, map[string]string{"messaging.destination.name": topic}))
}

const groupName = "metrics-group"

var errPoison = errors.New("poison")

func TestMetricsRun(t *testing.T) {
	for _, tc := range []struct {
		name   string
		policy interceptor.FailurePolicy
	}{{"stop", interceptor.StopOnFailure}, {"skip", interceptor.SkipOnFailure}} {
		t.Run(tc.name, func(t *testing.T) {
			topic := uniqueTopic(t)
			mc := mockCluster(t, topic, 1)
			tp, _ := recorder(sdktrace.WithSampler(sdktrace.NeverSample()))
			const n = 10
			produceN(t, mc.BootstrapServers(), topic, tp, n, nil)
			m := newMeters(t)
			c := newConsumer(t, mc.BootstrapServers(), groupName, tp, nil, interceptor.WithMeterProvider(m.mp),
				interceptor.WithOrdering(interceptor.ByPartition), interceptor.WithRetry(2, func(int) time.Duration { return 0 }),
				interceptor.WithFailurePolicy(tc.policy))
			defer c.Close()
			require.NoError(t, c.Subscribe(topic, nil))
			var handled atomic.Int32
			stop := runConsumer(c, func(ctx context.Context, msg *kafka.Message) error {
				handled.Add(1)
				if msg.TopicPartition.Offset == 4 {
					return errPoison
				}
				return nil
			})
			want := int64(n)
			if tc.policy == interceptor.StopOnFailure {
				want = 5 // 0..3 and the failing 4
			}
			require.Eventually(t, func() bool {
				pts, _, _ := m.collect(t, "messaging.process.duration")
				return total(pts, nil) == want
			}, 30*time.Second, 10*time.Millisecond)
			_ = stop()

			proc, unit, desc := m.collect(t, "messaging.process.duration")
			assert.Equal(t, "s", unit)
			assert.Equal(t, "Duration of processing operation.", desc)
			assert.Equal(t, int64(1), total(proc, map[string]string{"error.type": "*errors.errorString"}),
				"the failed message, once, with error.type: %v", proc)
			assert.Equal(t, want-1, total(proc, map[string]string{"error.type": ""}))
			consumed, _, _ := m.collect(t, "messaging.client.consumed.messages")
			assert.GreaterOrEqual(t, total(consumed, map[string]string{"messaging.operation.name": "process",
				"messaging.destination.name": topic, "messaging.consumer.group.name": groupName}), want)
		})
	}
}

// A Run where every handler succeeds: each message is consumed (operation
// process) and processed once, and no measurement carries error.type; the
// time each message waited in Kafka is recorded at dispatch, with the
// histogram's own attributes (system, destination, consumer group).
func TestMetricsRunNoFailures(t *testing.T) {
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 2)
	bootstrap := mc.BootstrapServers()
	tp, _ := recorder(sdktrace.WithSampler(sdktrace.NeverSample()))
	const n = 20
	produceN(t, bootstrap, topic, tp, n, func(i int) string { return strconv.Itoa(i) })
	m := newMeters(t)
	group := uniqueTopic(t)
	c := newConsumer(t, bootstrap, group, tp, nil, interceptor.WithMeterProvider(m.mp))
	defer c.Close()
	require.NoError(t, c.Subscribe(topic, nil))
	// Each message's time in queue lies between Run's start (it was polled
	// after) and its handler's start (it was polled before), minus its
	// timestamp.
	var mu sync.Mutex
	var minQueued, maxQueued float64
	handled := 0
	runStart := time.Now()
	stop := runConsumer(c, func(_ context.Context, msg *kafka.Message) error {
		now := time.Now()
		mu.Lock()
		defer mu.Unlock()
		handled++
		minQueued += runStart.Sub(msg.Timestamp).Seconds()
		maxQueued += now.Sub(msg.Timestamp).Seconds() + 0.001 // the timestamp has millisecond precision
		return nil
	})
	require.Eventually(t, func() bool {
		pts, _, _ := m.collect(t, "messaging.process.duration")
		return total(pts, nil) == n
	}, 30*time.Second, 10*time.Millisecond)
	require.NoError(t, stop())
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, n, handled)

	noErrorType := func(name string, pts []point) {
		for _, p := range pts {
			_, ok := p.attrs["error.type"]
			assert.False(t, ok, "%s: no error.type when nothing failed: %v", name, p.attrs)
		}
	}
	proc, _, _ := m.collect(t, "messaging.process.duration")
	assert.Equal(t, int64(n), total(proc, map[string]string{"messaging.operation.name": "process",
		"messaging.operation.type": "process", "messaging.destination.name": topic, "messaging.consumer.group.name": group}))
	noErrorType("messaging.process.duration", proc)

	consumed, unit, _ := m.collect(t, "messaging.client.consumed.messages")
	assert.Equal(t, "{message}", unit)
	assert.Equal(t, int64(n), total(consumed, nil), "each message once, nothing redelivered: %v", consumed)
	assert.Equal(t, int64(n), total(consumed, map[string]string{"messaging.operation.name": "process",
		"messaging.operation.type": "process", "messaging.destination.name": topic, "messaging.consumer.group.name": group}))
	noErrorType("messaging.client.consumed.messages", consumed)
	parts := map[string]bool{}
	for _, p := range consumed {
		parts[p.attrs["messaging.destination.partition.id"]] = true
	}
	assert.Equal(t, map[string]bool{"0": true, "1": true}, parts, "per partition")

	queue, unit, _ := m.collect(t, "kafkatrace.message.time_in_queue")
	assert.Equal(t, "s", unit)
	require.Len(t, queue, 1, "one set: the partition is not an attribute of time in queue: %v", queue)
	assert.Equal(t, map[string]string{"messaging.system": "kafka", "messaging.destination.name": topic,
		"messaging.consumer.group.name": group}, queue[0].attrs)
	assert.Equal(t, uint64(n), queue[0].count)
	assert.Positive(t, minQueued)
	assert.GreaterOrEqual(t, queue[0].sum, minQueued, "seconds, from the timestamp to the poll")
	assert.LessOrEqual(t, queue[0].sum, maxQueued, "seconds, from the timestamp to the poll")
}

// Run's health gauges while a handler is stuck: one running, the partition's
// unsettled offsets counted.
func TestMetricsRunHealth(t *testing.T) {
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	tp, _ := recorder()
	produceN(t, mc.BootstrapServers(), topic, tp, 10, nil)
	m := newMeters(t)
	c := newConsumer(t, mc.BootstrapServers(), uniqueTopic(t), tp, nil, interceptor.WithMeterProvider(m.mp),
		interceptor.WithOrdering(interceptor.Unordered))
	defer c.Close()
	require.NoError(t, c.Subscribe(topic, nil))
	release := make(chan struct{})
	var done atomic.Int32
	stop := runConsumer(c, func(ctx context.Context, msg *kafka.Message) error {
		if msg.TopicPartition.Offset == 2 {
			<-release
		}
		done.Add(1)
		return nil
	})
	require.Eventually(t, func() bool { return done.Load() == 9 }, 30*time.Second, time.Millisecond)
	running, unit, _ := m.collect(t, "kafkatrace.consumer.handlers.running")
	assert.Equal(t, "{handler}", unit)
	assert.Equal(t, int64(1), total(running, nil))
	unsettled, _, _ := m.collect(t, "kafkatrace.consumer.offsets.unsettled")
	assert.Equal(t, int64(8), total(unsettled, map[string]string{"messaging.destination.name": topic}),
		"offsets 2..9 lie between the committed offset (2) and the highest finished (9)")
	close(release)
	require.NoError(t, stop())
}

// A process span the caller ends records messaging.process.duration, with
// error.type when the caller set an error status.
func TestMetricsStartProcess(t *testing.T) {
	m := newMeters(t)
	tp, _ := recorder()
	c := newConsumer(t, "localhost:1", uniqueTopic(t), tp, nil, interceptor.WithMeterProvider(m.mp))
	defer c.Close()
	topic := "orders"
	msg := &kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 3}}
	_, span := c.StartProcess(context.Background(), msg)
	span.End()
	_, span = c.StartProcess(context.Background(), msg)
	span.SetStatus(codes.Error, "bad")
	span.End()
	span.End() // twice: recorded once
	proc, _, _ := m.collect(t, "messaging.process.duration")
	assert.Equal(t, int64(1), total(proc, map[string]string{"error.type": "_OTHER", "messaging.destination.partition.id": "3"}))
	assert.Equal(t, int64(2), total(proc, nil))
}

// With statistics.interval.ms set, per-partition lag is published, and the
// application still receives its *kafka.Stats events.
func TestMetricsLagFromStatistics(t *testing.T) {
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	tp, _ := recorder()
	produceN(t, mc.BootstrapServers(), topic, tp, 10, nil)
	m := newMeters(t)
	group := uniqueTopic(t)
	c := newConsumer(t, mc.BootstrapServers(), group, tp, kafka.ConfigMap{"statistics.interval.ms": 100},
		interceptor.WithMeterProvider(m.mp))
	defer c.Close()
	require.NoError(t, c.Subscribe(topic, nil))
	read, stats := 0, 0
	lagIs := func(want int64) bool {
		pts, _, _ := m.collect(t, "kafka.consumer.records_lag")
		return len(pts) == 1 && pts[0].value == want &&
			pts[0].attrs["messaging.destination.name"] == topic && pts[0].attrs["messaging.destination.partition.id"] == "0" &&
			pts[0].attrs["messaging.consumer.group.name"] == group
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) && !(read == 4 && lagIs(6)) {
		switch c.Poll(50).(type) {
		case *kafka.Message:
			if read < 4 {
				read++
			} else {
				t.Fatal("the test reads 4 messages: pause it first")
			}
			if read == 4 {
				require.NoError(t, c.Pause([]kafka.TopicPartition{{Topic: &topic, Partition: 0}}))
			}
		case *kafka.Stats:
			stats++
		}
	}
	pts, unit, _ := m.collect(t, "kafka.consumer.records_lag")
	assert.Equal(t, "{message}", unit)
	require.True(t, lagIs(6), "lag 6 after reading 4 of 10: %v", pts)
	assert.Positive(t, stats, "the application still gets its statistics events")
}
