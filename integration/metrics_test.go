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

// Metrics from a producer and a Run consumer of two topics, exported by
// telemetry's Prometheus exporter on the address the real Prometheus
// scrapes, and read back through Prometheus's query API: per topic, the
// sent, consumed and processed counts equal what was sent; a send to a
// partition that does not exist and an injected handler failure show as
// error.type; the lag gauge is positive while the consumer is held back
// (librdkafka knows the lag once the group has committed an offset) and
// reaches 0 once everything is consumed.
func TestMetricsInPrometheus(t *testing.T) {
	run := runID()
	topic, other := "metrics-"+run, "metrics-other-"+run
	createTopics(t, 1, topic, other)

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
	const nOther = 7
	for i := 0; i < nOther; i++ {
		require.NoError(t, produce(context.Background(), prod, other, fmt.Sprint("o", i)))
	}
	// A send that fails: partition 42 of a one-partition topic. librdkafka
	// refuses it at once or in its delivery report; it counts either way.
	dc := make(chan kafka.Event, 1)
	bad := &kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &other, Partition: 42}, Value: []byte("nowhere")}
	if err := prod.Produce(bad, dc); err == nil {
		require.Error(t, (<-dc).(*kafka.Message).TopicPartition.Error, "a send to partition 42 of a one-partition topic")
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
	require.NoError(t, cons.SubscribeTopics([]string{topic, other}, nil))
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
	ok := fmt.Sprintf(`{messaging_destination_name=%q,error_type=""}`, topic)
	selOther := fmt.Sprintf(`{messaging_destination_name=%q}`, other)
	okOther := fmt.Sprintf(`{messaging_destination_name=%q,error_type=""}`, other)
	failedOther := fmt.Sprintf(`{messaging_destination_name=%q,error_type!=""}`, other)

	waitForPromValue(t, "sum(messaging_client_sent_messages_total"+ok+")", eq(n), "every message of the first topic sent")
	waitForPromValue(t, "sum(messaging_client_sent_messages_total"+okOther+")", eq(nOther), "every message of the second topic sent")
	waitForPromValue(t, "sum(messaging_client_sent_messages_total"+failedOther+")", eq(1), "the failed send, with error.type")
	waitForPromValue(t, "sum(messaging_client_operation_duration_seconds_count"+failedOther+")", eq(1),
		"the failed send's duration, with error.type")
	waitForPromValue(t, "max(kafka_consumer_records_lag"+sel+")", func(v float64) bool { return v > 0 },
		"lag while the consumer is held back")
	close(release)
	waitForPromValue(t, "sum(messaging_client_consumed_messages_total"+sel+")", eq(n), "every message of the first topic consumed")
	waitForPromValue(t, "sum(messaging_client_consumed_messages_total"+selOther+")", eq(nOther), "every message of the second topic consumed")
	waitForPromValue(t, "sum(messaging_process_duration_seconds_count"+sel+")", eq(n), "every message of the first topic processed")
	waitForPromValue(t, "sum(messaging_process_duration_seconds_count"+selOther+")", eq(nOther), "every message of the second topic processed")
	waitForPromValue(t, fmt.Sprintf(`sum(messaging_process_duration_seconds_count{messaging_destination_name=%q,error_type!=""})`, topic),
		eq(1), "the poison message's failure with error.type")
	waitForPromValue(t, "max(kafka_consumer_records_lag"+sel+")", eq(0), "no lag once everything is consumed")
	waitForPromValue(t, "max(kafka_consumer_records_lag"+selOther+")", eq(0), "no lag on the second topic either")
	require.NoError(t, stop())
}

func eq(want float64) func(float64) bool { return func(v float64) bool { return v == want } }
