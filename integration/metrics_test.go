//go:build integration

package integration

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/require"

	"github.com/kafkatrace/kafkatrace/interceptor"
	"github.com/kafkatrace/kafkatrace/telemetry"
)

// Metrics from a producer and a Run consumer, exported by telemetry's
// Prometheus exporter on the address the real Prometheus scrapes, and read
// back through Prometheus's query API: sent, consumed and processed counts
// equal what was sent, an injected handler failure shows as error.type, and
// the lag gauge is positive while the consumer is held back (librdkafka
// knows the lag once the group has committed an offset) and reaches 0
// once everything is consumed.
func TestMetricsInPrometheus(t *testing.T) {
	run := runID()
	topic := "metrics-" + run
	createTopics(t, 1, topic)

	cfg := telemetry.DefaultConfig()
	cfg.Service.Name = "kt-metrics-" + run
	cfg.Exporter.Type = telemetry.ExporterNone
	cfg.Metrics.Exporter = telemetry.ExporterPrometheus
	cfg.Metrics.PrometheusAddress = metricsAddr
	p, err := telemetry.New(context.Background(), telemetry.WithConfig(cfg))
	require.NoError(t, err)
	t.Cleanup(func() { shutdown(t, p) })
	mp := p.MeterProvider()

	conf := baseConf()
	prod, err := interceptor.NewProducer(&conf, interceptor.WithTracerProvider(p), interceptor.WithMeterProvider(mp))
	require.NoError(t, err)
	t.Cleanup(prod.Close)
	const n = 20
	for i := 0; i < n; i++ {
		key := fmt.Sprint("k", i)
		if i == 7 {
			key = "poison"
		}
		require.NoError(t, produce(context.Background(), prod, topic, key))
	}

	cconf := baseConf()
	cconf["group.id"] = "metrics-" + run
	cconf["auto.offset.reset"] = "earliest"
	cconf["statistics.interval.ms"] = 500
	cconf["auto.commit.interval.ms"] = 200
	cons, err := interceptor.NewConsumer(&cconf, interceptor.WithTracerProvider(p), interceptor.WithMeterProvider(mp),
		interceptor.WithOrdering(interceptor.ByPartition), interceptor.WithRetry(1, nil),
		interceptor.WithFailurePolicy(interceptor.SkipOnFailure))
	require.NoError(t, err)
	require.NoError(t, cons.Subscribe(topic, nil))
	release := make(chan struct{})
	stop := runUntil(cons, func(ctx context.Context, m *kafka.Message) error {
		if m.TopicPartition.Offset >= 5 {
			<-release // held back (after a first commit) until the lag has been seen
		}
		if string(m.Key) == "poison" {
			return errors.New("poison message")
		}
		return nil
	})
	sel := fmt.Sprintf(`{messaging_destination_name=%q}`, topic)

	waitForPromValue(t, "sum(messaging_client_sent_messages_total"+sel+")", eq(n), "every message sent")
	waitForPromValue(t, "max(kafka_consumer_records_lag"+sel+")", func(v float64) bool { return v > 0 },
		"lag while the consumer is held back")
	close(release)
	waitForPromValue(t, "sum(messaging_client_consumed_messages_total"+sel+")", eq(n), "every message consumed")
	waitForPromValue(t, "sum(messaging_process_duration_seconds_count"+sel+")", eq(n), "every message processed")
	waitForPromValue(t, fmt.Sprintf(`sum(messaging_process_duration_seconds_count{messaging_destination_name=%q,error_type!=""})`, topic),
		eq(1), "the poison message's failure with error.type")
	waitForPromValue(t, "max(kafka_consumer_records_lag"+sel+")", eq(0), "no lag once everything is consumed")
	require.NoError(t, stop())
}

func eq(want float64) func(float64) bool { return func(v float64) bool { return v == want } }
