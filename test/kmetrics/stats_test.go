package kmetrics_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.uber.org/goleak"

	"github.com/kafkatrace/kafkatrace/internal/kmetrics"
	"github.com/kafkatrace/kafkatrace/internal/spanattr"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Malformed or truncated statistics never panic: the error reaches
// otel.Handle and the gauges keep the last good document.
func TestMalformedStatisticsReported(t *testing.T) {
	var mu sync.Mutex
	var errs []error
	prev := otel.GetErrorHandler()
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		mu.Lock()
		defer mu.Unlock()
		errs = append(errs, err)
	}))
	t.Cleanup(func() { otel.SetErrorHandler(prev) })

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
	mu.Lock()
	defer mu.Unlock()
	assert.GreaterOrEqual(t, len(errs), 4, "each bad document is reported: %v", errs)
	for _, err := range errs {
		assert.Contains(t, err.Error(), "librdkafka statistics")
	}
}
