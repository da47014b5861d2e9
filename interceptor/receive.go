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
	"github.com/kafkatrace/kafkatrace/semconv"
)

// Poll polls as kafka.Consumer.Poll does. Each message it returns gets a
// "receive {topic}" span (CLIENT) covering the Poll call, with a link to the
// producer's context; to trace the processing too, use Run, or StartProcess
// in your own loop.
func (c *Consumer) Poll(timeoutMs int) kafka.Event {
	start := time.Now()
	ev := c.Consumer.Poll(timeoutMs)
	if m, ok := ev.(*kafka.Message); ok {
		c.received(m, start)
	}
	return ev
}

// received records a receive span for m and, when the application asked for
// automatic offset storing, stores m's offset as librdkafka would have.
func (c *Consumer) received(m *kafka.Message, start time.Time) {
	if c.autoStore && m.TopicPartition.Error == nil {
		_, _ = c.Consumer.StoreMessage(m) // as librdkafka's auto store: best effort
	}
	topic := semconv.Topic(m.TopicPartition)
	var buf [20]attribute.KeyValue
	attrs := c.recvCommon.AppendMessage(buf[:0], m, c.cfg.opt)
	if kv, ok := semconv.TimeInQueue(m.Timestamp, time.Now()); ok {
		attrs = append(attrs, kv)
	}
	opts := []trace.SpanStartOption{
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithTimestamp(start),
		trace.WithNewRoot(),
		trace.WithAttributes(attrs...),
	}
	if rsc := trace.SpanContextFromContext(carrier.Extract(context.Background(), m, c.cfg.propagator)); rsc.IsValid() {
		opts = append(opts, trace.WithLinks(trace.Link{SpanContext: rsc}))
	}
	_, span := c.tracer.Start(context.Background(), c.recvNames.Name(topic), opts...)
	if err := m.TopicPartition.Error; err != nil {
		span.SetAttributes(semconv.ErrorType(err))
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
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
		if m, ok := ev.(*kafka.Message); ok {
			c.received(m, time.Now())
		}
		select {
		case c.events <- ev:
		case <-c.closing:
			return // the application stopped reading; Close must not hang
		}
	}
}
