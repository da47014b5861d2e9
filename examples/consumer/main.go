// Command consumer is the smallest traced consumer: it swaps the
// constructor and hands each message to Run, which processes it in its own
// goroutine with a "process {topic}" span and commits only finished work.
//
//	cd examples && KAFKA_BOOTSTRAP_SERVERS=localhost:9092 \
//	  OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4317 go run ./consumer -topic orders
//
// It creates the topic if the broker allows it. Ctrl-C (or -for) stops it:
// handlers in flight finish, their offsets are committed. It exits 1 when Run
// failed or its spans could not be exported.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/examples/internal/topics"
	"github.com/kafkatrace/kafkatrace/interceptor"
	"github.com/kafkatrace/kafkatrace/telemetry"
)

func main() {
	topic := flag.String("topic", "orders", "topic to consume")
	group := flag.String("group", "example-consumer", "consumer group")
	runFor := flag.Duration("for", 0, "stop after this long (0: until interrupted)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *runFor > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *runFor)
		defer cancel()
	}
	if err := run(ctx, *topic, *group); err != nil {
		log.Print(err)
		os.Exit(1)
	}
}

func run(ctx context.Context, topic, group string) (err error) {
	shutdown, err := telemetry.Start(ctx)
	if err != nil {
		return err
	}
	defer func() {
		// Longer than the export timeout (10s by default), so that an
		// export that fails says why instead of being cut short.
		sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if serr := shutdown(sctx); serr != nil {
			err = errors.Join(err, fmt.Errorf("spans not exported: %w", serr))
		}
	}()
	if err := topics.Ensure(bootstrap(), 3, 10*time.Second, topic); err != nil {
		return err
	}

	c, err := interceptor.NewConsumer(&kafka.ConfigMap{ // was kafka.NewConsumer
		"bootstrap.servers": bootstrap(),
		"group.id":          group,
		"auto.offset.reset": "earliest",
	})
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Subscribe(topic, nil); err != nil {
		return err
	}

	return c.Run(ctx, func(ctx context.Context, m *kafka.Message) error {
		log.Printf("%s key=%s trace=%s", m.TopicPartition, m.Key, trace.SpanContextFromContext(ctx).TraceID())
		return nil // an error (or panic) is retried, then stops Run: see interceptor.WithFailurePolicy
	})
}

func bootstrap() string {
	if v := os.Getenv("KAFKA_BOOTSTRAP_SERVERS"); v != "" {
		return v
	}
	return "localhost:9092"
}
