package interceptor_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/interceptor"
)

// Swap kafka.NewProducer for interceptor.NewProducer: every message carries
// its trace context, and its send span ends at the delivery report.
func ExampleNewProducer() {
	mc, _ := kafka.NewMockCluster(1) // an embedded broker, for the example
	defer mc.Close()

	p, err := interceptor.NewProducer(&kafka.ConfigMap{"bootstrap.servers": mc.BootstrapServers()})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()

	topic := "orders"
	delivery := make(chan kafka.Event, 1)
	err = p.Produce(&kafka.Message{
		TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: kafka.PartitionAny},
		Value:          []byte("order #1"),
		Opaque:         "my-correlation-id",
	}, delivery)
	if err != nil {
		log.Fatal(err)
	}
	report := (<-delivery).(*kafka.Message)
	fmt.Println(report.TopicPartition.Error, report.Opaque)
	// Output: <nil> my-correlation-id
}

// Run processes every message in its own goroutine with its own ctx and
// process span, in key order, committing only finished work. Producing with
// the handler's ctx keeps the next hop in the same trace.
func ExampleConsumer_Run() {
	mc, _ := kafka.NewMockCluster(1)
	defer mc.Close()
	topic := "orders"
	_ = mc.CreateTopic(topic, 1, 1)

	p, _ := interceptor.NewProducer(&kafka.ConfigMap{"bootstrap.servers": mc.BootstrapServers()})
	defer p.Close()
	_ = p.Produce(&kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0}, Key: []byte("customer-7")}, nil)

	c, err := interceptor.NewConsumer(&kafka.ConfigMap{
		"bootstrap.servers": mc.BootstrapServers(),
		"group.id":          "billing",
		"auto.offset.reset": "earliest",
	}, interceptor.WithOrdering(interceptor.ByKey), interceptor.WithMaxInFlight(64))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.Subscribe(topic, nil); err != nil {
		log.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = c.Run(ctx, func(ctx context.Context, m *kafka.Message) error {
		fmt.Printf("handled %s\n", m.Key)
		cancel() // one message is enough for the example
		return nil
	})
	fmt.Println("Run returned", err)
	// Output:
	// handled customer-7
	// Run returned <nil>
}

// Applications with their own poll loop start the process span themselves
// and end it when the message is handled.
func ExampleConsumer_StartProcess() {
	raw, _ := kafka.NewConsumer(&kafka.ConfigMap{"bootstrap.servers": "localhost:9092", "group.id": "g"})
	c := interceptor.WrapConsumer(raw)
	defer c.Close()

	topic := "orders"
	msg := &kafka.Message{
		TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0, Offset: 42},
		Headers:        []kafka.Header{{Key: "traceparent", Value: []byte("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")}},
	}
	ctx, span := c.StartProcess(context.Background(), msg)
	defer span.End()
	// With no SDK installed the span does not record, but the context still
	// carries the producer's trace for the next hop.
	fmt.Println(trace.SpanContextFromContext(ctx).TraceID())
	// Output: 0af7651916cd43dd8448eb211c80319c
}
