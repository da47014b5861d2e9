package interceptor

import (
	"context"
	"math"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/carrier"
	"github.com/kafkatrace/kafkatrace/internal/spanattr"
	"github.com/kafkatrace/kafkatrace/semconv"
)

// Poll polls as kafka.Consumer.Poll does. Each message it returns gets a
// "receive {topic}" span (CLIENT) covering the Poll call, with a link to the
// producer's context; to trace the processing too, use Run, or StartProcess
// in your own loop.
func (c *Consumer) Poll(timeoutMs int) kafka.Event {
	start := time.Now()
	ev := c.Consumer.Poll(timeoutMs)
	switch e := ev.(type) {
	case *kafka.Message:
		c.received(e, start)
		return ev
	case *kafka.Stats:
		c.metrics.ObserveStats(e.String())
	}
	if c.autoStore {
		c.stores.tick(c.Consumer, time.Now())
	}
	return ev
}

// received records a receive span for m and, when the application asked for
// automatic offset storing, notes m's offset as librdkafka would have stored
// it (see autoStore).
func (c *Consumer) received(m *kafka.Message, start time.Time) {
	now := time.Now()
	if c.autoStore && m.TopicPartition.Error == nil && m.TopicPartition.Topic != nil {
		c.stores.note(c.Consumer, m, now)
	}
	topic := spanattr.Topic(m.TopicPartition)
	if m.TopicPartition.Error == nil {
		var d time.Duration
		if !start.IsZero() {
			d = now.Sub(start)
		}
		c.metrics.Received(context.Background(), topic, m.TopicPartition.Partition, m.Timestamp, now, d)
	}
	name, base := c.recv.forTopic(topic)
	// The options and the link share one allocation. The span is a root
	// because its parent ctx is empty: no WithNewRoot, which would make the
	// SDK build a context to hold an empty parent.
	o := new(receiveOpts)
	opts := append(append(o.opts[:0], base...), trace.WithTimestamp(start))
	if rsc := trace.SpanContextFromContext(carrier.Extract(context.Background(), m, c.cfg.propagator)); rsc.IsValid() {
		o.link[0] = trace.Link{SpanContext: rsc}
		opts = append(opts, trace.WithLinks(o.link[:]...))
	}
	_, span := c.tracer.Start(context.Background(), name, opts...)
	if span.IsRecording() {
		span.SetAttributes(c.messageAttrs(m, now, false)...)
		if err := m.TopicPartition.Error; err != nil {
			span.SetAttributes(semconv.ErrorType(err))
			span.SetStatus(codes.Error, err.Error())
		}
	}
	span.End()
}

// receiveOpts holds a receive span's start options (the topic's, the poll's
// start time, the link) and its link, in one allocation.
type receiveOpts struct {
	opts [4]trace.SpanStartOption // kind, the topic's attributes, timestamp, link
	link [1]trace.Link
}

// newRoot is allocated once: process spans of untrusted topics or under
// WithLinkOnly are roots linked to the producer.
var newRoot = trace.WithNewRoot()

// messageAttrs are the attributes of a received message beyond its topic's,
// set once the span is known to record (unsampled messages build none).
func (c *Consumer) messageAttrs(m *kafka.Message, now time.Time, untrusted bool) []attribute.KeyValue {
	attrs := spanattr.AppendReceived(make([]attribute.KeyValue, 0, 6), m, c.cfg.opt)
	if kv, ok := spanattr.TimeInQueue(m.Timestamp, now); ok {
		attrs = append(attrs, kv)
	}
	if untrusted {
		attrs = append(attrs, untrustedKey.Bool(true))
	}
	return attrs
}

// ReadMessage polls for a message as kafka.Consumer.ReadMessage does, with
// the receive span of Poll: messages come back as (msg, nil), partition
// errors as (msg, err) — the message is never dropped —, other errors as
// (nil, err), and a timeout as (nil, err) with err.(kafka.Error).IsTimeout().
func (c *Consumer) ReadMessage(timeout time.Duration) (*kafka.Message, error) {
	if c.IsClosed() {
		return nil, kafka.NewError(kafka.ErrState, "Consumer closed", false)
	}
	var absTimeout time.Time
	var timeoutMs int
	if timeout > 0 {
		absTimeout = time.Now().Add(timeout)
		timeoutMs = int(timeout.Milliseconds())
	} else {
		timeoutMs = int(timeout)
	}
	for {
		ev := c.Poll(timeoutMs)
		switch e := ev.(type) {
		case *kafka.Message:
			if e.TopicPartition.Error != nil {
				return e, e.TopicPartition.Error
			}
			return e, nil
		case kafka.Error:
			return nil, e
		}
		if timeout > 0 {
			timeoutMs = int(math.Max(0, float64(time.Until(absTimeout).Milliseconds())))
		}
		if timeoutMs == 0 && ev == nil {
			return nil, kafka.NewError(kafka.ErrTimedOut, "", false)
		}
	}
}

// Events returns the channel of the channel-based consumer
// (go.events.channel.enable=true), or nil, as kafka.Consumer.Events does;
// messages on it get the receive span of Poll.
//
// Deprecated: as in confluent-kafka-go, use Poll or Run.
func (c *Consumer) Events() chan kafka.Event {
	return c.events
}

// forwardEvents feeds Events() from the inner channel, tracing messages. It
// ends when Close closes the inner channel.
func (c *Consumer) forwardEvents(inner chan kafka.Event) {
	defer close(c.eventsDone)
	defer close(c.events)
	for ev := range inner {
		switch e := ev.(type) {
		case *kafka.Message:
			c.received(e, time.Time{}) // no poll call to time
		case *kafka.Stats:
			c.metrics.ObserveStats(e.String())
		}
		select {
		case c.events <- ev:
		case <-c.closing:
			return // the application stopped reading; Close must not hang
		}
	}
}
