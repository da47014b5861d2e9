package interceptor

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/poller"
	"github.com/kafkatrace/kafkatrace/semconv"
)

// Headers Run adds to a dead-lettered message, beside its original headers
// (kept, except that the trace context headers are those of the dead-letter
// send span, whose trace is the original's; the original values are kept
// under the *-original-traceparent/tracestate names). Values are UTF-8 text:
// numbers in decimal, where Spring Kafka's kafka_dlt-* headers use binary
// big-endian. Headers of these names already on the message (a message
// dead-lettered a second time) are replaced.
const (
	// HeaderDLTOriginalTopic is the topic the message was consumed from.
	HeaderDLTOriginalTopic = "kafkatrace-dlt-original-topic"
	// HeaderDLTOriginalPartition is its partition.
	HeaderDLTOriginalPartition = "kafkatrace-dlt-original-partition"
	// HeaderDLTOriginalOffset is its offset.
	HeaderDLTOriginalOffset = "kafkatrace-dlt-original-offset"
	// HeaderDLTOriginalTimestamp is its timestamp, in milliseconds since the
	// Unix epoch (also kept as the dead-letter message's own timestamp).
	HeaderDLTOriginalTimestamp = "kafkatrace-dlt-original-timestamp"
	// HeaderDLTOriginalConsumerGroup is the consumer group that failed it
	// (absent for a WrapConsumer consumer: its group.id is not known).
	HeaderDLTOriginalConsumerGroup = "kafkatrace-dlt-original-consumer-group"
	// HeaderDLTOriginalTraceparent and HeaderDLTOriginalTracestate are the
	// W3C trace context headers the message arrived with, when it had them.
	HeaderDLTOriginalTraceparent = "kafkatrace-dlt-original-traceparent"
	HeaderDLTOriginalTracestate  = "kafkatrace-dlt-original-tracestate"
	// HeaderDLTAttempts is how many times the handler ran on it.
	HeaderDLTAttempts = "kafkatrace-dlt-attempts"
	// HeaderDLTExceptionType is the last error's error.type: the librdkafka
	// error name for a kafka.Error, else the Go type (for example
	// "*errors.errorString", "*poller.PanicError" for a panic).
	HeaderDLTExceptionType = "kafkatrace-dlt-exception-type"
	// HeaderDLTExceptionMessage is the last error's text, cut at 4 KiB.
	HeaderDLTExceptionMessage = "kafkatrace-dlt-exception-message"
	// HeaderDLTExceptionStacktrace is the stack of a handler panic, cut at
	// 16 KiB; absent for errors.
	HeaderDLTExceptionStacktrace = "kafkatrace-dlt-exception-stacktrace"
)

// Cuts of the error headers: a broker refuses a message over
// message.max.bytes, and then nothing could be dead-lettered.
const (
	maxErrorHeader = 4 << 10
	maxStackHeader = 16 << 10
)

// Attributes of process spans that dead-letter.
const (
	deadLetterTopicKey = attribute.Key("kafkatrace.dead_letter.topic")
	deadLetteredKey    = attribute.Key("kafkatrace.dead_lettered")
)

// DeadLetterRoute returns the dead-letter topic of msg, which failed every
// attempt with err (for a batch, its own error). An empty topic means none,
// and msg's own topic would loop: the message is then treated under
// StopOnFailure.
type DeadLetterRoute func(msg *kafka.Message, err error) string

// DeadLetterTopic routes every message to topic.
func DeadLetterTopic(topic string) DeadLetterRoute {
	return func(*kafka.Message, error) string { return topic }
}

// ErrDeadLetterConfig is returned by Run and RunBatch when WithDeadLetter
// was given a nil route or producer.
var ErrDeadLetterConfig = errors.New("kafkatrace: WithDeadLetter needs a route and a producer")

// WithDeadLetter sets the third failure policy: a message whose every
// attempt failed is produced, through producer, to the topic route returns,
// with its key, value, timestamp and headers, plus the HeaderDLT* headers
// that say where it came from and why. Its send span is a child of the
// failed process span. The message's offset moves on only once the broker
// has acknowledged the dead-letter copy; if that produce fails (no such
// topic, broker down, not authorized, route returned ""), the message is
// treated under StopOnFailure: nothing is committed past it and Run returns
// a *HandlerError whose DeadLetterErr says why. Nothing is lost.
//
// The producer is the caller's (a traced one: NewProducer): Run neither
// creates nor closes it, so close it after Run returns. It replaces any
// WithFailurePolicy. A dead-letter copy may be produced twice if Run is
// stopped or the partition revoked between the produce and its delivery
// report: the failed message is then redelivered.
func WithDeadLetter(route DeadLetterRoute, producer *Producer) Option {
	return optionFunc(func(c *config) {
		c.consumer.poller.OnFailure = poller.DeadLetterOnFailure
		c.consumer.deadLetter = &deadLetter{route: route, producer: producer}
	})
}

// deadLetter produces failed messages to their dead-letter topic.
type deadLetter struct {
	route    DeadLetterRoute
	producer *Producer
	group    string
}

// send is the poller's DeadLetter: it produces a copy of msg and waits for
// its delivery report (or ctx).
func (d *deadLetter) send(ctx context.Context, msg *kafka.Message, r poller.Result) error {
	topic := d.route(msg, r.Err)
	switch {
	case topic == "":
		return errNoDeadLetterTopic
	case msg.TopicPartition.Topic != nil && topic == *msg.TopicPartition.Topic:
		return errDeadLetterLoop
	}
	trace.SpanFromContext(ctx).SetAttributes(deadLetterTopicKey.String(topic))
	out := &kafka.Message{
		TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: kafka.PartitionAny},
		Key:            msg.Key,
		Value:          msg.Value,
		Timestamp:      msg.Timestamp,
		Headers:        d.headers(msg, r),
	}
	report := make(chan kafka.Event, 1)
	for {
		err := d.producer.ProduceContext(ctx, out, report)
		if err == nil {
			break
		}
		var kerr kafka.Error
		if !errors.As(err, &kerr) || kerr.Code() != kafka.ErrQueueFull {
			return err
		}
		// librdkafka's queue is full: wait for room as a producer would.
		t := time.NewTimer(queueFullWait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
	select {
	case ev := <-report:
		m, ok := ev.(*kafka.Message)
		if !ok {
			return fmt.Errorf("kafkatrace: unexpected dead-letter delivery event %v", ev)
		}
		return m.TopicPartition.Error
	case <-ctx.Done():
		return ctx.Err()
	}
}

// queueFullWait is the wait before producing again after ErrQueueFull.
const queueFullWait = 10 * time.Millisecond

// errNoDeadLetterTopic is the DeadLetterErr of a message the route gave no
// topic.
var errNoDeadLetterTopic = errors.New("kafkatrace: the dead-letter route returned no topic")

// errDeadLetterLoop is the DeadLetterErr of a message the route sent back
// to its own topic, where it would fail again for ever.
var errDeadLetterLoop = errors.New("kafkatrace: the dead-letter route returned the message's own topic")

// headers returns msg's headers without earlier dead-letter headers, plus
// this failure's.
func (d *deadLetter) headers(msg *kafka.Message, r poller.Result) []kafka.Header {
	out := make([]kafka.Header, 0, len(msg.Headers)+12)
	var traceparent, tracestate []byte
	for _, h := range msg.Headers {
		switch {
		case strings.HasPrefix(h.Key, "kafkatrace-dlt-"):
			continue
		case h.Key == "traceparent":
			traceparent = h.Value
		case h.Key == "tracestate":
			tracestate = h.Value
		}
		out = append(out, h)
	}
	add := func(k, v string) { out = append(out, kafka.Header{Key: k, Value: []byte(v)}) }
	tp := msg.TopicPartition
	if tp.Topic != nil {
		add(HeaderDLTOriginalTopic, *tp.Topic)
	}
	add(HeaderDLTOriginalPartition, strconv.FormatInt(int64(tp.Partition), 10))
	add(HeaderDLTOriginalOffset, strconv.FormatInt(int64(tp.Offset), 10))
	if !msg.Timestamp.IsZero() {
		add(HeaderDLTOriginalTimestamp, strconv.FormatInt(msg.Timestamp.UnixMilli(), 10))
	}
	if d.group != "" {
		add(HeaderDLTOriginalConsumerGroup, d.group)
	}
	if traceparent != nil {
		add(HeaderDLTOriginalTraceparent, string(traceparent))
	}
	if tracestate != nil {
		add(HeaderDLTOriginalTracestate, string(tracestate))
	}
	add(HeaderDLTAttempts, strconv.Itoa(r.Attempts))
	if r.Err != nil {
		add(HeaderDLTExceptionType, semconv.ErrorType(r.Err).Value.AsString())
		add(HeaderDLTExceptionMessage, cut(r.Err.Error(), maxErrorHeader))
		var perr *PanicError
		if errors.As(r.Err, &perr) {
			add(HeaderDLTExceptionStacktrace, cut(string(perr.Stack), maxStackHeader))
		}
	}
	return out
}

// cut shortens s to at most n bytes of valid UTF-8 (invalid bytes dropped).
func cut(s string, n int) string {
	return strings.ToValidUTF8(s[:min(len(s), n)], "")
}
