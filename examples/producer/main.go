// Command producer is the smallest traced producer: the only change from a
// plain confluent-kafka-go program is the constructor.
//
//	cd examples && KAFKA_BOOTSTRAP_SERVERS=localhost:9092 \
//	  OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4317 go run ./producer -topic orders -n 10
//
// Tracing is set up from KAFKATRACE_CONFIG (a YAML file, see
// examples/kafkatrace.yaml) and the OTEL_* variables by telemetry.Start. It
// creates the topic if the broker allows it, and exits 1 when a message was
// not delivered or its spans could not be exported.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/kafkatrace/kafkatrace/examples/internal/topics"
	"github.com/kafkatrace/kafkatrace/interceptor"
	"github.com/kafkatrace/kafkatrace/telemetry"
)

func main() {
	topic := flag.String("topic", "orders", "topic to produce to")
	n := flag.Int("n", 10, "messages to produce")
	flag.Parse()
	if err := run(*topic, *n); err != nil {
		log.Print(err)
		os.Exit(1)
	}
}

func run(topic string, n int) (err error) {
	shutdown, err := telemetry.Start(context.Background())
	if err != nil {
		return err
	}
	defer func() {
		// Longer than the export timeout (10s by default), so that an
		// export that fails says why instead of being cut short.
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if serr := shutdown(ctx); serr != nil {
			err = errors.Join(err, fmt.Errorf("spans not exported: %w", serr))
		}
	}()
	if err := topics.Ensure(bootstrap(), 3, 10*time.Second, topic); err != nil {
		return err
	}

	p, err := interceptor.NewProducer(&kafka.ConfigMap{"bootstrap.servers": bootstrap()}) // was kafka.NewProducer
	if err != nil {
		return err
	}
	defer p.Close()

	for i := 0; i < n; i++ {
		err := p.Produce(&kafka.Message{
			TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: kafka.PartitionAny},
			Key:            []byte(fmt.Sprint("key-", i)),
			Value:          []byte(fmt.Sprint("message ", i)),
		}, nil)
		if err != nil {
			return err
		}
	}
	failed := 0
	for delivered := 0; delivered < n; {
		if m, ok := (<-p.Events()).(*kafka.Message); ok {
			if m.TopicPartition.Error != nil {
				log.Printf("delivery failed: %v", m.TopicPartition.Error)
				failed++
			} else {
				log.Printf("delivered %s", m.TopicPartition)
			}
			delivered++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d messages not delivered", failed, n)
	}
	return nil
}

func bootstrap() string {
	if v := os.Getenv("KAFKA_BOOTSTRAP_SERVERS"); v != "" {
		return v
	}
	return "localhost:9092"
}
