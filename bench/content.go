package main

import (
	"context"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel/attribute"
	sc "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// The floor with kafkatrace's span content ("content floor"): hand-written
// tracing, as lean as bench/floor.go, whose spans carry what kafkatrace's
// carry: the semantic-convention attributes of the client and the message,
// the delivery report's partition and offset on the send span, and on the
// receive span the poll's start time, the time in queue and a link to the
// producer. It is not a target (bench/floor.go is); it splits kafkatrace's
// distance from the floor into the price of that content, paid inside the
// OpenTelemetry SDK whoever records it, and kafkatrace's own overhead.

// contentFloorSampled names the content floor's variants (sampled: an
// unsampled span carries nothing).
const contentFloorSampled = "content floor sampled"

// serverHost is server.address as kafkatrace derives it: the host of the
// first bootstrap server.
func serverHost(bootstrap string) string {
	first, _, _ := strings.Cut(bootstrap, ",")
	if h, _, err := net.SplitHostPort(first); err == nil {
		return h
	}
	return first
}

// contentProduce is floorProduce with a send span carrying kafkatrace's
// start attributes.
func contentProduce(p *kafka.Producer, tracer trace.Tracer, server string, msg *kafka.Message) error {
	topic := *msg.TopicPartition.Topic
	ctx, span := tracer.Start(context.Background(), "send "+topic,
		trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithAttributes(
			sc.MessagingSystemKafka,
			sc.MessagingOperationName("send"),
			sc.MessagingOperationTypeSend,
			sc.ServerAddress(server),
			sc.MessagingDestinationName(topic)))
	w3c.Inject(ctx, headerCarrier{msg})
	msg.Opaque = span
	if err := p.Produce(msg, nil); err != nil {
		span.End()
		return err
	}
	return nil
}

// contentReport ends a send span with the report's partition and offset.
func contentReport(m *kafka.Message) {
	if span, ok := m.Opaque.(trace.Span); ok {
		span.SetAttributes(
			sc.MessagingDestinationPartitionID(strconv.Itoa(int(m.TopicPartition.Partition))),
			sc.MessagingKafkaOffset(int(m.TopicPartition.Offset)))
		span.End()
	}
}

// contentReceive records the receive span of a message a Poll that began at
// start returned: kafkatrace's attributes, all given at start, and the
// link to the producer.
func contentReceive(tracer trace.Tracer, server, group string, m *kafka.Message, start time.Time) {
	topic := *m.TopicPartition.Topic
	now := time.Now()
	attrs := []attribute.KeyValue{
		sc.MessagingSystemKafka,
		sc.MessagingOperationName("receive"),
		sc.MessagingOperationTypeReceive,
		sc.ServerAddress(server),
		sc.MessagingConsumerGroupName(group),
		sc.MessagingDestinationName(topic),
		sc.MessagingDestinationPartitionID(strconv.Itoa(int(m.TopicPartition.Partition))),
		sc.MessagingKafkaOffset(int(m.TopicPartition.Offset)),
		attribute.Int64("kafkatrace.message.time_in_queue_ms", now.Sub(m.Timestamp).Milliseconds()),
	}
	opts := []trace.SpanStartOption{
		trace.WithSpanKind(trace.SpanKindClient), trace.WithTimestamp(start), trace.WithNewRoot(),
		trace.WithAttributes(attrs...),
	}
	if rsc := trace.SpanContextFromContext(w3c.Extract(context.Background(), headerCarrier{m})); rsc.IsValid() {
		opts = append(opts, trace.WithLinks(trace.Link{SpanContext: rsc}))
	}
	_, span := tracer.Start(context.Background(), "receive "+topic, opts...)
	span.End()
}

// contentPoll consumes n messages with a plain Poll loop that records
// contentReceive's span for each.
func contentPoll(bootstrap string, tracer trace.Tracer, topic string, parts, n int, ready func()) (time.Duration, error) {
	conf := consumerConf(bootstrap)
	c, err := kafka.NewConsumer(conf)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	if err := c.Assign(assignment(topic, parts)); err != nil {
		return 0, err
	}
	server := serverHost(bootstrap)
	group, _ := conf.Get("group.id", "")
	poll := func(ms int) kafka.Event {
		start := time.Now()
		ev := c.Poll(ms)
		if m, ok := ev.(*kafka.Message); ok && m.TopicPartition.Error == nil {
			contentReceive(tracer, server, group.(string), m, start)
		}
		return ev
	}
	return pollLoop(poll, n, nil, ready)
}
