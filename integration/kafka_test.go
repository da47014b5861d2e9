//go:build integration

package integration

import (
	"context"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"

	"github.com/kafkatrace/kafkatrace/interceptor"
	"github.com/kafkatrace/kafkatrace/telemetry"
)

// baseConf is the client configuration every test starts from.
func baseConf() kafka.ConfigMap {
	return kafka.ConfigMap{
		"bootstrap.servers":   bootstrap(),
		"enable.metrics.push": false, // kfake answers KIP-714 telemetry, which librdkafka then logs
	}
}

// createTopics creates topics with partitions each (works on Kafka and on
// kfake, and avoids "unknown topic" noise from consumers that subscribe
// before a producer auto-creates them).
func createTopics(t *testing.T, partitions int, topics ...string) {
	t.Helper()
	conf := baseConf()
	admin, err := kafka.NewAdminClient(&conf)
	require.NoError(t, err)
	defer admin.Close()
	specs := make([]kafka.TopicSpecification, len(topics))
	for i, topic := range topics {
		specs[i] = kafka.TopicSpecification{Topic: topic, NumPartitions: partitions, ReplicationFactor: 1}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := admin.CreateTopics(ctx, specs)
	require.NoError(t, err)
	for _, r := range res {
		if r.Error.Code() != kafka.ErrNoError && r.Error.Code() != kafka.ErrTopicAlreadyExists {
			t.Fatalf("create topic %s: %v", r.Topic, r.Error)
		}
	}
}

// newService builds a service's own TracerProvider with telemetry.New.
func newService(t *testing.T, name string, exp telemetry.Exporter) *telemetry.Provider {
	t.Helper()
	cfg := telemetry.DefaultConfig()
	cfg.Service.Name = name
	cfg.Exporter.Type, cfg.Exporter.Endpoint, cfg.Exporter.Insecure = exp.Type, exp.Endpoint, exp.Insecure
	cfg.Batch.ScheduleDelay = 100 * time.Millisecond
	p, err := telemetry.New(context.Background(), telemetry.WithConfig(cfg))
	require.NoError(t, err)
	t.Cleanup(func() { shutdown(t, p) })
	return p
}

func shutdown(t *testing.T, p *telemetry.Provider) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	require.NoError(t, p.Shutdown(ctx))
}

func newProducer(t *testing.T, p *telemetry.Provider, run string) *interceptor.Producer {
	t.Helper()
	conf := baseConf()
	conf["linger.ms"] = 5
	prod, err := interceptor.NewProducer(&conf, interceptor.WithTracerProvider(p),
		interceptor.WithPropagators(p.Propagator()),
		interceptor.WithAttributes(attribute.String("test.run", run)))
	require.NoError(t, err)
	t.Cleanup(prod.Close)
	return prod
}

func newConsumer(t *testing.T, p *telemetry.Provider, run, group string, opts ...interceptor.Option) *interceptor.Consumer {
	t.Helper()
	conf := baseConf()
	conf["group.id"] = group
	conf["auto.offset.reset"] = "earliest"
	conf["session.timeout.ms"] = 6000
	c, err := interceptor.NewConsumer(&conf, append([]interceptor.Option{
		interceptor.WithTracerProvider(p),
		interceptor.WithPropagators(p.Propagator()),
		interceptor.WithTopicPolicy(p.Sampler()),
		interceptor.WithAttributes(attribute.String("test.run", run)),
	}, opts...)...)
	require.NoError(t, err)
	return c
}

// produce sends one message with ctx as the parent and waits for its report.
func produce(ctx context.Context, p *interceptor.Producer, topic, key string) error {
	dc := make(chan kafka.Event, 1)
	msg := &kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: kafka.PartitionAny},
		Key: []byte(key), Value: []byte("payload of " + key)}
	if err := p.ProduceContext(ctx, msg, dc); err != nil {
		return err
	}
	return (<-dc).(*kafka.Message).TopicPartition.Error
}

// runUntil runs c.Run until stop is closed, then closes c; it returns Run's
// error through the channel.
func runUntil(c *interceptor.Consumer, h interceptor.Handler) (stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- c.Run(ctx, h) }()
	return func() error {
		cancel()
		err := <-errc
		if cerr := c.Close(); err == nil {
			err = cerr
		}
		return err
	}
}
