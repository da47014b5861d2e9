package interceptor_test

import (
	"context"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/kafkatrace/kafkatrace/interceptor"
)

// gaugePoint is one data point of a gauge, integer or float.
type gaugePoint struct {
	attrs map[string]string
	value float64
}

// gauge collects the named instrument, which must be a gauge of type T
// (what an Int64ObservableGauge or Float64ObservableGauge exports), and
// returns its points and unit; no points when it is not exported (yet).
func gauge[T int64 | float64](t *testing.T, m meters, name string) (pts []gaugePoint, unit string) {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, m.reader.Collect(context.Background(), &rm))
	for _, sm := range rm.ScopeMetrics {
		for _, md := range sm.Metrics {
			if md.Name != name {
				continue
			}
			g, ok := md.Data.(metricdata.Gauge[T])
			require.True(t, ok, "%s is a gauge of %T, not %T", name, *new(T), md.Data)
			for _, dp := range g.DataPoints {
				pts = append(pts, gaugePoint{attrs: attrMap(dp.Attributes), value: float64(dp.Value)})
			}
			unit = md.Unit
		}
	}
	return pts, unit
}

// hostPort splits the first address of a bootstrap.servers list.
func hostPort(t *testing.T, bootstrap string) (host, port string) {
	t.Helper()
	host, port, err := net.SplitHostPort(strings.Split(bootstrap, ",")[0])
	require.NoError(t, err)
	return host, port
}

// Run's back-pressure gauges: with every handler held, Run buffers polled
// messages up to its bound (max(2×max in flight, 1024)), and when the buffer
// has stayed full for a second it pauses every assigned partition;
// kafkatrace.consumer.messages.buffered and .partitions.paused say so, and go
// back to 0 once the handlers are released and the backlog is done.
func TestMetricsRunBackpressureGauges(t *testing.T) {
	topic := uniqueTopic(t)
	const partitions, perPartition = 2, 600 // 1,200 messages: more than the 1,024 the buffer takes
	mc := mockCluster(t, topic, partitions)
	bootstrap := mc.BootstrapServers()
	tp, _ := recorder()
	p := newProducer(t, bootstrap, tp, nil)
	dc := make(chan kafka.Event, partitions*perPartition)
	for i := 0; i < partitions*perPartition; i++ {
		require.NoError(t, p.Produce(&kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: int32(i % partitions)}}, dc))
	}
	for i := 0; i < partitions*perPartition; i++ {
		require.NoError(t, (<-dc).(*kafka.Message).TopicPartition.Error)
	}

	m := newMeters(t)
	group := uniqueTopic(t)
	c := newConsumer(t, bootstrap, group, tp, nil, interceptor.WithMeterProvider(m.mp),
		interceptor.WithOrdering(interceptor.ByPartition), interceptor.WithMaxInFlight(1))
	defer func() { require.NoError(t, c.Close()) }()
	require.NoError(t, c.Subscribe(topic, nil))
	release := make(chan struct{})
	var handled atomic.Int32
	stop := runConsumer(c, func(ctx context.Context, _ *kafka.Message) error {
		select {
		case <-release:
		case <-ctx.Done():
			return ctx.Err()
		}
		handled.Add(1)
		return nil
	})
	defer func() { _ = stop() }()

	host, _ := hostPort(t, bootstrap)
	clientAttrs := map[string]string{
		"messaging.system": "kafka", "messaging.consumer.group.name": group,
		// Not in the README's table ("system, consumer group"), but every
		// client-wide instrument carries the client's server.address.
		"server.address": host,
	}
	const maxBuffered = 1024 // max(2×1, 1024)
	require.Eventually(t, func() bool {
		paused, _ := gauge[int64](t, m, "kafkatrace.consumer.partitions.paused")
		return len(paused) == 1 && paused[0].value == partitions
	}, 30*time.Second, 20*time.Millisecond, "the buffer stayed full for a second: every partition paused")

	assert.Zero(t, handled.Load(), "every handler is held")
	paused, unit := gauge[int64](t, m, "kafkatrace.consumer.partitions.paused")
	assert.Equal(t, "{partition}", unit)
	require.Len(t, paused, 1)
	assert.Equal(t, clientAttrs, paused[0].attrs)
	buffered, unit := gauge[int64](t, m, "kafkatrace.consumer.messages.buffered")
	assert.Equal(t, "{message}", unit)
	require.Len(t, buffered, 1)
	assert.Equal(t, clientAttrs, buffered[0].attrs)
	// Full, give or take the ~10 messages the loop may poll while waiting
	// for room (kept, never dropped); the running message is not counted.
	t.Logf("held: %v buffered, %v partitions paused", buffered[0].value, paused[0].value)
	assert.GreaterOrEqual(t, buffered[0].value, float64(maxBuffered))
	assert.LessOrEqual(t, buffered[0].value, float64(maxBuffered+10+partitions))
	running, _ := gauge[int64](t, m, "kafkatrace.consumer.handlers.running")
	require.Len(t, running, 1)
	assert.Equal(t, float64(1), running[0].value, "one held handler: WithMaxInFlight(1)")

	close(release)
	require.Eventually(t, func() bool {
		b, _ := gauge[int64](t, m, "kafkatrace.consumer.messages.buffered")
		pa, _ := gauge[int64](t, m, "kafkatrace.consumer.partitions.paused")
		return handled.Load() == partitions*perPartition &&
			len(b) == 1 && b[0].value == 0 && len(pa) == 1 && pa[0].value == 0
	}, 60*time.Second, 20*time.Millisecond, "released: the partitions resume and the backlog drains")
	require.NoError(t, stop())
}

// The statistics gauges of a producer (statistics.interval.ms): the
// messages in its queues while the broker is down, then, once the broker is
// back with a 100 ms round trip, the broker's requests in flight and its
// round-trip time, each with the broker's address and port.
func TestMetricsProducerStatisticsGauges(t *testing.T) {
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	bootstrap := mc.BootstrapServers()
	host, port := hostPort(t, bootstrap)
	tp, _ := recorder()
	m := newMeters(t)
	p := newProducer(t, bootstrap, tp, kafka.ConfigMap{"statistics.interval.ms": 50},
		interceptor.WithMeterProvider(m.mp))
	// The application still gets its statistics events.
	var statsEvents atomic.Int32
	go func() {
		for ev := range p.Events() {
			if _, ok := ev.(*kafka.Stats); ok {
				statsEvents.Add(1)
			}
		}
	}()

	require.NoError(t, mc.SetBrokerDown(1))
	const queued = 20
	dc := make(chan kafka.Event, 1000)
	for i := 0; i < queued; i++ {
		require.NoError(t, p.Produce(&kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0}}, dc))
	}
	queueIs := func(want float64) func() bool {
		return func() bool {
			pts, _ := gauge[int64](t, m, "kafkatrace.producer.queue.messages")
			return len(pts) == 1 && pts[0].value == want
		}
	}
	require.Eventually(t, queueIs(queued), 10*time.Second, 10*time.Millisecond, "msg_cnt: the undelivered messages")
	pts, unit := gauge[int64](t, m, "kafkatrace.producer.queue.messages")
	assert.Equal(t, "{message}", unit)
	assert.Equal(t, map[string]string{"messaging.system": "kafka", "server.address": host}, pts[0].attrs)

	const rtt = 100 * time.Millisecond
	require.NoError(t, mc.SetRoundtripDuration(1, rtt))
	require.NoError(t, mc.SetBrokerUp(1))
	for i := 0; i < queued; i++ {
		require.NoError(t, (<-dc).(*kafka.Message).TopicPartition.Error)
	}
	require.Eventually(t, queueIs(0), 10*time.Second, 10*time.Millisecond, "delivered: the queues are empty")

	// Keep requests going so that the statistics intervals see round trips
	// and, now and then, a request awaiting its response.
	brokerAttrs := map[string]string{"messaging.system": "kafka", "server.address": host, "server.port": port}
	var sawInFlight, sawRTT bool
	var inFlightUnit, rttUnit string
	sent := 0
	require.Eventually(t, func() bool {
		require.NoError(t, p.Produce(&kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0}}, dc))
		sent++
		inFlight, unit := gauge[int64](t, m, "kafkatrace.client.requests.in_flight")
		inFlightUnit = unit
		require.Len(t, inFlight, 1, "one broker; the bootstrap entry is not published: %v", inFlight)
		assert.Equal(t, brokerAttrs, inFlight[0].attrs)
		if inFlight[0].value >= 1 {
			sawInFlight = true
		}
		rtts, unit := gauge[float64](t, m, "kafkatrace.client.broker.rtt")
		if len(rtts) > 0 {
			rttUnit = unit
			require.Len(t, rtts, 1, "one broker: %v", rtts)
			assert.Equal(t, brokerAttrs, rtts[0].attrs)
			// Seconds, not librdkafka's microseconds: about the mock's 100 ms.
			assert.Less(t, rtts[0].value, 10*rtt.Seconds(), "in seconds")
			if rtts[0].value >= 0.9*rtt.Seconds() {
				sawRTT = true
			}
		}
		return sawInFlight && sawRTT
	}, 20*time.Second, 20*time.Millisecond, "a request in flight and the 100 ms round trip seen")
	assert.Equal(t, "{request}", inFlightUnit)
	assert.Equal(t, "s", rttUnit)
	for i := 0; i < sent; i++ {
		require.NoError(t, (<-dc).(*kafka.Message).TopicPartition.Error)
	}
	assert.Positive(t, statsEvents.Load(), "the application still gets its *kafka.Stats events")
}
