package interceptor

import (
	"context"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/carrier"
	"github.com/kafkatrace/kafkatrace/internal/spanattr"
	"github.com/kafkatrace/kafkatrace/poller"
	"github.com/kafkatrace/kafkatrace/semconv"
)

// Attributes of batch spans beyond the conventions: the offset range.
const (
	batchFirstOffsetKey = attribute.Key("kafkatrace.batch.first_offset")
	batchLastOffsetKey  = attribute.Key("kafkatrace.batch.last_offset")
	batchFailedKey      = attribute.Key("kafkatrace.batch.failed_count")
)

// BeginBatch starts a batch's "process {topic}" span, linked to every
// message's producer context, and counts the messages as consumed.
func (h processHook) BeginBatch(ctx context.Context, msgs []*kafka.Message, polled []time.Time) (context.Context, poller.Observer) {
	c := h.c
	first, last := msgs[0].TopicPartition, msgs[len(msgs)-1].TopicPartition
	topic := spanattr.Topic(first)
	name, opts := c.proc.forTopic(topic)

	links := make([]trace.Link, 0, len(msgs))
	var car carrier.MessageCarrier
	for _, m := range msgs {
		car.Reset(m)
		if sc := trace.SpanContextFromContext(c.cfg.propagator.Extract(context.Background(), &car)); sc.IsValid() {
			links = append(links, trace.Link{SpanContext: sc})
		}
	}
	opts = append(append(make([]trace.SpanStartOption, 0, len(opts)+2), opts...),
		trace.WithLinks(links...),
		trace.WithAttributes(semconv.BatchMessageCountKey.Int(len(msgs)), spanattr.Partition(first.Partition)))
	ctx, span := c.tracer.Start(ctx, name, opts...)
	if span.IsRecording() {
		span.SetAttributes(batchFirstOffsetKey.Int64(int64(first.Offset)), batchLastOffsetKey.Int64(int64(last.Offset)))
	}
	for i, m := range msgs {
		c.metrics.Dispatched(ctx, topic, first.Partition, m.Timestamp, polled[i])
	}
	return ctx, processObserver{span: span, metrics: c.metrics, topic: topic, partition: first.Partition, start: time.Now()}
}
