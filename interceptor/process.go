package interceptor

import (
	"context"
	"errors"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/carrier"
	"github.com/kafkatrace/kafkatrace/internal/kmetrics"
	"github.com/kafkatrace/kafkatrace/internal/spanattr"
	"github.com/kafkatrace/kafkatrace/poller"
	"github.com/kafkatrace/kafkatrace/semconv"
)

// Attributes kafkatrace adds to process spans beyond the conventions.
const (
	attemptKey   = attribute.Key("kafkatrace.attempt")
	attemptsKey  = attribute.Key("kafkatrace.attempts")
	skippedKey   = attribute.Key("kafkatrace.skipped")
	abandonedKey = attribute.Key("kafkatrace.abandoned")
	untrustedKey = attribute.Key("kafkatrace.untrusted")
	stackKey     = attribute.Key("exception.stacktrace")
)

// StartProcess starts a "process {topic}" span (CONSUMER) for msg, for
// applications that keep their own poll loop. Its parent is the producer's
// context from msg's headers (a link instead, for untrusted topics or with
// WithLinkOnly); with no context in the headers, ctx's span is the parent.
// The returned ctx carries the span and the message's baggage: produce with
// it to keep the chain in one trace.
//
// The caller must end the span, typically with defer span.End(), after
// handling the message.
func (c *Consumer) StartProcess(ctx context.Context, msg *kafka.Message) (context.Context, trace.Span) {
	ctx, span := c.startProcess(ctx, msg, time.Now())
	if msg == nil || !c.metrics.ProcessEnabled(ctx) {
		return ctx, span
	}
	// The caller ends the span: messaging.process.duration is recorded then.
	ms := &meteredSpan{Span: span, metrics: c.metrics, topic: spanattr.Topic(msg.TopicPartition),
		partition: msg.TopicPartition.Partition, start: time.Now()}
	return trace.ContextWithSpan(ctx, ms), ms
}

func (c *Consumer) startProcess(ctx context.Context, msg *kafka.Message, polled time.Time) (context.Context, trace.Span) {
	if ctx == nil {
		ctx = context.Background()
	}
	topic := ""
	if msg != nil {
		topic = spanattr.Topic(msg.TopicPartition)
	}
	name, opts := c.proc.forTopic(topic)

	remote := carrier.Extract(ctx, msg, c.cfg.propagator)
	parent := remote
	untrusted := false
	if rsc := trace.SpanContextFromContext(remote); rsc.IsValid() {
		untrusted = c.cfg.consumer.topicPolicy != nil && c.cfg.consumer.topicPolicy.Untrusted(topic)
		if untrusted || c.cfg.consumer.linkOnly {
			if untrusted {
				// Neither the remote parent nor its baggage crosses the
				// boundary; a link keeps the way back.
				parent = ctx
			}
			opts = append(append(make([]trace.SpanStartOption, 0, len(opts)+2), opts...),
				newRoot, trace.WithLinks(trace.Link{SpanContext: rsc}))
		}
	}
	ctx, span := c.tracer.Start(parent, name, opts...)
	if span.IsRecording() && msg != nil {
		span.SetAttributes(c.messageAttrs(msg, polled, untrusted)...)
	}
	return ctx, span
}

// processHook starts and ends Run's process spans.
type processHook struct{ c *Consumer }

func (h processHook) Begin(ctx context.Context, msg *kafka.Message, polled time.Time) (context.Context, poller.Observer) {
	ctx, span := h.c.startProcess(ctx, msg, polled)
	tp := msg.TopicPartition
	topic := spanattr.Topic(tp)
	h.c.metrics.Dispatched(ctx, topic, tp.Partition, msg.Timestamp, polled)
	o := processObserver{span: span, topic: topic, partition: tp.Partition}
	if h.c.metrics.ProcessEnabled(ctx) { // else no duration is recorded: spare the clock read
		o.metrics, o.start = h.c.metrics, time.Now()
	}
	return ctx, o
}

// processObserver follows one message of Run: its span and its metrics
// (metrics nil: none recorded).
type processObserver struct {
	span      trace.Span
	metrics   *kmetrics.Client
	topic     string
	partition int32
	start     time.Time
}

// Failed records a failed attempt as an exception event; a panic's stack is
// kept on the event.
func (o processObserver) Failed(attempt int, err error) {
	if !o.span.IsRecording() {
		return
	}
	attrs := []attribute.KeyValue{attemptKey.Int(attempt)}
	if perr, ok := err.(*poller.PanicError); ok {
		attrs = append(attrs, stackKey.String(string(perr.Stack)))
	}
	o.span.RecordError(err, trace.WithAttributes(attrs...))
}

// End sets the span's outcome and ends it.
func (o processObserver) End(r poller.Result) {
	if r.Attempts > 1 {
		o.span.SetAttributes(attemptsKey.Int(r.Attempts))
	}
	switch {
	case r.Err == nil:
	case r.Abandoned:
		o.span.SetAttributes(abandonedKey.Bool(true), semconv.ErrorType(r.Err))
		o.span.SetStatus(codes.Error, "abandoned before completion: "+r.Err.Error())
	default:
		if r.Skipped {
			o.span.SetAttributes(skippedKey.Bool(true))
		}
		if r.DeadLettered {
			o.span.SetAttributes(deadLetteredKey.Bool(true))
		}
		if r.DeadLetterErr != nil {
			o.span.RecordError(r.DeadLetterErr, trace.WithAttributes(deadLetteredKey.Bool(false)))
		}
		if r.Failed > 0 {
			o.span.SetAttributes(batchFailedKey.Int(r.Failed))
		}
		o.span.SetAttributes(semconv.ErrorType(typed(r.Err)))
		o.span.SetStatus(codes.Error, r.Err.Error())
	}
	o.span.End()
	if o.metrics != nil && !r.Abandoned { // an abandoned message was not processed: it comes again
		o.metrics.Processed(context.Background(), o.topic, o.partition, typed(r.Err), time.Since(o.start))
	}
}

// typed returns the error whose type names a failure: for a batch's
// *BatchError, the first failed message's error.
func typed(err error) error {
	var be *poller.BatchError
	if errors.As(err, &be) {
		if errs := be.Unwrap(); len(errs) > 0 {
			return errs[0]
		}
	}
	return err
}
