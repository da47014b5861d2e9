// Command consumer is the smallest traced consumer: it swaps the
// constructor and hands each message to Run, which processes it in its own
// goroutine with a "process {topic}" span and commits only finished work.
//
//	KAFKA_BOOTSTRAP_SERVERS=localhost:9092 OTEL_EXPORTER_OTLP_ENDPOINT=localhost:4317 \
//	  cd examples && go run ./consumer -topic orders
//
// Ctrl-C stops it: handlers in flight finish, their offsets are committed.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/interceptor"
	"github.com/kafkatrace/kafkatrace/telemetry"
)

func main() {
	topic := flag.String("topic", "orders", "topic to consume")
	group := flag.String("group", "example-consumer", "consumer group")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	shutdown, err := telemetry.Start(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = shutdown(ctx)
	}()

	c, err := interceptor.NewConsumer(&kafka.ConfigMap{ // was kafka.NewConsumer
		"bootstrap.servers": bootstrap(),
		"group.id":          *group,
		"auto.offset.reset": "earliest",
	})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.Subscribe(*topic, nil); err != nil {
		log.Fatal(err)
	}

	err = c.Run(ctx, func(ctx context.Context, m *kafka.Message) error {
		log.Printf("%s key=%s trace=%s", m.TopicPartition, m.Key, trace.SpanContextFromContext(ctx).TraceID())
		return nil // an error (or panic) is retried, then stops Run: see interceptor.WithFailurePolicy
	})
	if err != nil {
		log.Fatal(err)
	}
}

func bootstrap() string {
	if v := os.Getenv("KAFKA_BOOTSTRAP_SERVERS"); v != "" {
		return v
	}
	return "localhost:9092"
}
