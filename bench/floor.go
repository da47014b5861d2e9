package main

import (
	"context"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// The floor: the least any OpenTelemetry-based Kafka tracing must do,
// written by hand. Producer: start a span with the messaging attributes,
// inject W3C context (TraceContext + Baggage) into the headers, end the span
// on the delivery report found through Opaque. Consumer: extract, start a
// process span, end it.

var w3c = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

// headerCarrier is the simplest carrier: append-only over a message's
// headers (it does not protect shared header slices, which kafkatrace's does).
type headerCarrier struct{ msg *kafka.Message }

func (c headerCarrier) Get(key string) string {
	for i := len(c.msg.Headers) - 1; i >= 0; i-- {
		if c.msg.Headers[i].Key == key {
			return string(c.msg.Headers[i].Value)
		}
	}
	return ""
}
func (c headerCarrier) Set(key, value string) {
	c.msg.Headers = append(c.msg.Headers, kafka.Header{Key: key, Value: []byte(value)})
}
func (c headerCarrier) Keys() []string { return nil }

// floorProduce traces one Produce the minimal way; the span travels in
// Opaque and floorReport ends it.
func floorProduce(p *kafka.Producer, tracer trace.Tracer, msg *kafka.Message) error {
	topic := *msg.TopicPartition.Topic
	ctx, span := tracer.Start(context.Background(), "send "+topic,
		trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithAttributes(
			attribute.String("messaging.system", "kafka"),
			attribute.String("messaging.operation.type", "send"),
			attribute.String("messaging.destination.name", topic)))
	w3c.Inject(ctx, headerCarrier{msg})
	msg.Opaque = span
	if err := p.Produce(msg, nil); err != nil {
		span.End()
		return err
	}
	return nil
}

// floorReport ends the span of a delivery report.
func floorReport(m *kafka.Message) {
	if span, ok := m.Opaque.(trace.Span); ok {
		span.End()
	}
}

// floorProcess traces the processing of one polled message the minimal way.
func floorProcess(tracer trace.Tracer, m *kafka.Message) {
	topic := *m.TopicPartition.Topic
	ctx := w3c.Extract(context.Background(), headerCarrier{m})
	_, span := tracer.Start(ctx, "process "+topic,
		trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(
			attribute.String("messaging.system", "kafka"),
			attribute.String("messaging.operation.type", "process"),
			attribute.String("messaging.destination.name", topic)))
	span.End()
}
