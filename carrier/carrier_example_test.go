package carrier_test

import (
	"context"
	"fmt"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/carrier"
)

// Inject trace context into a message you produce yourself, and read it back
// on the consuming side.
func Example() {
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID{0x0a, 0xf7, 0x65, 0x19},
		SpanID:     trace.SpanID{0xb7, 0xad},
		TraceFlags: trace.FlagsSampled,
	})
	ctx := trace.ContextWithSpanContext(context.Background(), sc)
	prop := propagation.TraceContext{}

	topic := "orders"
	msg := &kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic}}
	carrier.Inject(ctx, msg, prop)
	fmt.Println(msg.Headers[0].Key, string(msg.Headers[0].Value))

	remote := trace.SpanContextFromContext(carrier.Extract(context.Background(), msg, prop))
	fmt.Println(remote.TraceID(), remote.IsRemote())
	// Output:
	// traceparent 00-0af76519000000000000000000000000-b7ad000000000000-01
	// 0af76519000000000000000000000000 true
}
