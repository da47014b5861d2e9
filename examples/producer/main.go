// Command producer is the smallest traced producer: the only change from a
// plain confluent-kafka-go program is the constructor.
//
//	KAFKA_BOOTSTRAP_SERVERS=localhost:9092 OTEL_EXPORTER_OTLP_ENDPOINT=localhost:4317 \
//	  cd examples && go run ./producer -topic orders -n 10
//
// Tracing is set up from KAFKATRACE_CONFIG (a YAML file, see
// examples/kafkatrace.yaml) and the OTEL_* variables by telemetry.Start.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/kafkatrace/kafkatrace/interceptor"
	"github.com/kafkatrace/kafkatrace/telemetry"
)

func main() {
	topic := flag.String("topic", "orders", "topic to produce to")
	n := flag.Int("n", 10, "messages to produce")
	flag.Parse()

	shutdown, err := telemetry.Start(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = shutdown(ctx)
	}()

	p, err := interceptor.NewProducer(&kafka.ConfigMap{"bootstrap.servers": bootstrap()}) // was kafka.NewProducer
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()

	for i := 0; i < *n; i++ {
		err := p.Produce(&kafka.Message{
			TopicPartition: kafka.TopicPartition{Topic: topic, Partition: kafka.PartitionAny},
			Key:            []byte(fmt.Sprint("key-", i)),
			Value:          []byte(fmt.Sprint("message ", i)),
		}, nil)
		if err != nil {
			log.Fatal(err)
		}
	}
	for delivered := 0; delivered < *n; {
		if m, ok := (<-p.Events()).(*kafka.Message); ok {
			if m.TopicPartition.Error != nil {
				log.Printf("delivery failed: %v", m.TopicPartition.Error)
			} else {
				log.Printf("delivered %s", m.TopicPartition)
			}
			delivered++
		}
	}
}

func bootstrap() string {
	if v := os.Getenv("KAFKA_BOOTSTRAP_SERVERS"); v != "" {
		return v
	}
	return "localhost:9092"
}
