package kmetrics

import (
	"context"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/semconv/v1.43.0/messagingconv"

	"github.com/kafkatrace/kafkatrace/internal/spanattr"
	"github.com/kafkatrace/kafkatrace/semconv"
)

// durationBuckets are the explicit bucket boundaries the messaging semantic
// conventions advise for their duration histograms, in seconds.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

// TimeInQueueName is the histogram of how long a message waited in Kafka:
// from its timestamp to the poll that returned it.
const TimeInQueueName = "kafkatrace.message.time_in_queue"

// Client is the instruments of one producer or consumer.
type Client struct {
	sent     messagingconv.ClientSentMessages
	opDur    messagingconv.ClientOperationDuration
	consumed messagingconv.ClientConsumedMessages
	procDur  messagingconv.ProcessDuration
	queue    metric.Float64Histogram
	meter    metric.Meter
	sets     *setCache
	stats    statsGauges
}

// New creates the instruments of one client on mp's meter for scope (name
// and version). A failure to create one is reported through otel.Handle
// and leaves that instrument a no-op.
func New(mp metric.MeterProvider, scope, version string, info spanattr.ClientInfo) *Client {
	m := mp.Meter(scope, metric.WithInstrumentationVersion(version), metric.WithSchemaURL(semconv.SchemaURL))
	buckets := metric.WithExplicitBucketBoundaries(durationBuckets...)
	c := &Client{sets: newSetCache(info), meter: m}
	var err error
	if c.sent, err = messagingconv.NewClientSentMessages(m); err != nil {
		otel.Handle(err)
	}
	if c.opDur, err = messagingconv.NewClientOperationDuration(m, buckets); err != nil {
		otel.Handle(err)
	}
	if c.consumed, err = messagingconv.NewClientConsumedMessages(m); err != nil {
		otel.Handle(err)
	}
	if c.procDur, err = messagingconv.NewProcessDuration(m, buckets); err != nil {
		otel.Handle(err)
	}
	if c.queue, err = m.Float64Histogram(TimeInQueueName,
		metric.WithDescription("Time a message waited in Kafka: from its timestamp to the poll that returned it."),
		metric.WithUnit("s"), buckets); err != nil {
		otel.Handle(err)
	}
	return c
}

// SendEnabled reports whether sent messages are recorded: false with the
// no-op MeterProvider, so the producer can keep its cheapest path.
func (c *Client) SendEnabled(ctx context.Context) bool {
	return c != nil && (c.sent.Enabled(ctx) || c.opDur.Enabled(ctx))
}

// ProcessEnabled reports whether process durations are recorded.
func (c *Client) ProcessEnabled(ctx context.Context) bool {
	return c != nil && c.procDur.Enabled(ctx)
}

// Sent records a message's delivery report: one sent message (with
// error.type when err is not nil) and the send duration.
func (c *Client) Sent(ctx context.Context, topic string, partition int32, err error, d time.Duration) {
	set := c.sets.get(key{op: semconv.Send, topic: topic, partition: partition, errType: errorType(err)})
	c.sent.Int64Counter.Add(ctx, 1, set.add...)
	c.opDur.Float64Histogram.Record(ctx, d.Seconds(), set.rec...)
}

// Received records a message returned by the drop-in Poll, ReadMessage or
// Events: one consumed message, the poll's duration when known (d > 0),
// and the time in queue.
func (c *Client) Received(ctx context.Context, topic string, partition int32, ts, now time.Time, d time.Duration) {
	if c == nil || !(c.consumed.Enabled(ctx) || c.opDur.Enabled(ctx) || c.queue.Enabled(ctx)) {
		return
	}
	set := c.sets.get(key{op: semconv.Receive, topic: topic, partition: partition})
	c.consumed.Int64Counter.Add(ctx, 1, set.add...)
	if d > 0 {
		c.opDur.Float64Histogram.Record(ctx, d.Seconds(), set.rec...)
	}
	c.queued(ctx, set, ts, now)
}

// Dispatched records a message Run hands to a handler: one consumed
// message and its time in queue.
func (c *Client) Dispatched(ctx context.Context, topic string, partition int32, ts, polled time.Time) {
	if c == nil || !(c.consumed.Enabled(ctx) || c.queue.Enabled(ctx)) {
		return
	}
	set := c.sets.get(key{op: semconv.Process, topic: topic, partition: partition})
	c.consumed.Int64Counter.Add(ctx, 1, set.add...)
	c.queued(ctx, set, ts, polled)
}

// Processed records a handler run (after its retries) or a process span
// ended by the caller: its duration, with error.type when err is not nil.
func (c *Client) Processed(ctx context.Context, topic string, partition int32, err error, d time.Duration) {
	if c == nil || !c.procDur.Enabled(ctx) {
		return
	}
	c.procDur.Float64Histogram.Record(ctx, d.Seconds(), c.sets.get(key{op: semconv.Process, topic: topic, partition: partition, errType: errorType(err)}).rec...)
}

func (c *Client) queued(ctx context.Context, set setRef, ts, now time.Time) {
	if ts.IsZero() || ts.After(now) {
		return // no timestamp, or clock skew
	}
	c.queue.Record(ctx, now.Sub(ts).Seconds(), set.queueRec...)
}

// errorType is error.type's value for err, "" for nil.
func errorType(err error) string {
	switch e := err.(type) {
	case nil:
		return ""
	case TypedError:
		return string(e)
	}
	return semconv.ErrorType(err).Value.AsString()
}

// TypedError is an error whose error.type is its own text: what a caller
// set as the error.type attribute, or "_OTHER".
type TypedError string

// Error returns the type.
func (e TypedError) Error() string { return string(e) }
