package kmetrics_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.uber.org/goleak"

	"github.com/kafkatrace/kafkatrace/internal/kmetrics"
	"github.com/kafkatrace/kafkatrace/internal/spanattr"
	"github.com/kafkatrace/kafkatrace/test/internal/handled"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Malformed or truncated statistics never panic: the error reaches
// otel.Handle and the gauges keep the last good document.
func TestMalformedStatisticsReported(t *testing.T) {
	reported := handled.Errors(t)

	r := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(r))
	defer func() { _ = mp.Shutdown(context.Background()) }()
	c := kmetrics.New(mp, "test", "0", spanattr.ClientInfo{ConsumerGroup: "g"})
	defer c.Close()

	good := `{"name":"c#consumer-1","type":"consumer","topics":{"t":{"topic":"t","partitions":{"0":{"partition":0,"consumer_lag":7},"-1":{"partition":-1,"consumer_lag":-1}}}}}`
	c.ObserveStats(good)
	for _, bad := range []string{"", "{", good[:len(good)/2], `{"topics":[1,2]}`, `{"msg_cnt":1e400}`, "null"} {
		c.ObserveStats(bad)
	}
	var rm metricdata.ResourceMetrics
	require.NoError(t, r.Collect(context.Background(), &rm))
	var lag int64 = -1
	for _, sm := range rm.ScopeMetrics {
		for _, md := range sm.Metrics {
			if md.Name == kmetrics.RecordsLagName {
				g := md.Data.(metricdata.Gauge[int64])
				require.Len(t, g.DataPoints, 1, "the UA partition (-1) is not published")
				lag = g.DataPoints[0].Value
			}
		}
	}
	assert.Equal(t, int64(7), lag, "the last good document is kept")
	errs := reported()
	assert.GreaterOrEqual(t, len(errs), 4, "each bad document is reported: %v", errs)
	for _, err := range errs {
		assert.Contains(t, err.Error(), "librdkafka statistics")
	}
}

// gaugePoints returns the data points of the named gauge of type T, and its
// unit; the test fails if the instrument is exported as anything else.
func gaugePoints[T int64 | float64](t *testing.T, rm metricdata.ResourceMetrics, name string) (map[attribute.Set]T, string) {
	t.Helper()
	var unit string
	pts := map[attribute.Set]T{}
	for _, sm := range rm.ScopeMetrics {
		for _, md := range sm.Metrics {
			if md.Name != name {
				continue
			}
			g, ok := md.Data.(metricdata.Gauge[T])
			require.True(t, ok, "%s: a gauge of %T, not %T", name, *new(T), md.Data)
			unit = md.Unit
			for _, dp := range g.DataPoints {
				pts[dp.Attributes] = dp.Value
			}
		}
	}
	return pts, unit
}

// The client gauges from a producer's statistics, as the README's table
// has them: kafkatrace.producer.queue.messages (msg_cnt, with the client's
// system and server address), and per real broker
// kafkatrace.client.requests.in_flight (waitresp_cnt) and
// kafkatrace.client.broker.rtt (rtt.avg, in seconds), each with the broker's
// own server.address and server.port. Bootstrap and logical brokers
// (nodeid -1) are left out, and so is a broker whose interval saw no round
// trip (rtt.avg 0).
func TestStatisticsClientGauges(t *testing.T) {
	r := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(r))
	defer func() { _ = mp.Shutdown(context.Background()) }()
	c := kmetrics.New(mp, "test", "0", spanattr.ClientInfo{ServerAddress: "bootstrap.example"})
	defer c.Close()

	c.ObserveStats(`{"name":"rdkafka#producer-1","client_id":"rdkafka","type":"producer","msg_cnt":42,"msg_size":4200,
		"brokers":{
			"kafka-1.example:9092/1":{"name":"kafka-1.example:9092/1","nodeid":1,"state":"UP","waitresp_cnt":3,"rtt":{"avg":12500,"p99":40000}},
			"kafka-2.example:9093/2":{"name":"kafka-2.example:9093/2","nodeid":2,"state":"UP","waitresp_cnt":0,"rtt":{"avg":0,"p99":0}},
			"bootstrap.example:9092/bootstrap":{"name":"bootstrap.example:9092/bootstrap","nodeid":-1,"state":"UP","waitresp_cnt":7,"rtt":{"avg":999,"p99":999}},
			"GroupCoordinator":{"name":"GroupCoordinator","nodeid":-1,"state":"UP","waitresp_cnt":5,"rtt":{"avg":999,"p99":999}}},
		"topics":{}}`)
	var rm metricdata.ResourceMetrics
	require.NoError(t, r.Collect(context.Background(), &rm))

	system := attribute.String("messaging.system", "kafka")
	queue, unit := gaugePoints[int64](t, rm, kmetrics.QueueMessagesName)
	assert.Equal(t, "kafkatrace.producer.queue.messages", kmetrics.QueueMessagesName)
	assert.Equal(t, "{message}", unit)
	assert.Equal(t, map[attribute.Set]int64{
		attribute.NewSet(system, attribute.String("server.address", "bootstrap.example")): 42,
	}, queue)

	broker := func(host string, port int) attribute.Set {
		return attribute.NewSet(system, attribute.String("server.address", host), attribute.Int("server.port", port))
	}
	inFlight, unit := gaugePoints[int64](t, rm, kmetrics.RequestsInFlightName)
	assert.Equal(t, "kafkatrace.client.requests.in_flight", kmetrics.RequestsInFlightName)
	assert.Equal(t, "{request}", unit)
	assert.Equal(t, map[attribute.Set]int64{broker("kafka-1.example", 9092): 3, broker("kafka-2.example", 9093): 0}, inFlight)

	rtt, unit := gaugePoints[float64](t, rm, kmetrics.BrokerRTTName)
	assert.Equal(t, "kafkatrace.client.broker.rtt", kmetrics.BrokerRTTName)
	assert.Equal(t, "s", unit)
	require.Len(t, rtt, 1, "broker 2 had no round trip in the interval: %v", rtt)
	assert.InDelta(t, 0.0125, rtt[broker("kafka-1.example", 9092)], 1e-12, "12,500 µs")

	// A consumer's statistics have no producer queue to publish.
	cc := kmetrics.New(mp, "test-consumer", "0", spanattr.ClientInfo{ConsumerGroup: "g"})
	defer cc.Close()
	cc.ObserveStats(`{"name":"rdkafka#consumer-1","type":"consumer","msg_cnt":9,"brokers":{},"topics":{}}`)
	require.NoError(t, r.Collect(context.Background(), &rm))
	queue, _ = gaugePoints[int64](t, rm, kmetrics.QueueMessagesName)
	assert.Equal(t, map[attribute.Set]int64{
		attribute.NewSet(system, attribute.String("server.address", "bootstrap.example")): 42,
	}, queue, "only the producer's queue")
}
