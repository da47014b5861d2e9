package kmetrics

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"

	"github.com/kafkatrace/kafkatrace/poller"
	"github.com/kafkatrace/kafkatrace/semconv"
)

// Names of Run's health gauges.
const (
	HandlersRunningName  = "kafkatrace.consumer.handlers.running"
	MessagesBufferedName = "kafkatrace.consumer.messages.buffered"
	PartitionsPausedName = "kafkatrace.consumer.partitions.paused"
	OffsetsUnsettledName = "kafkatrace.consumer.offsets.unsettled"
)

// runGauges are the instruments of Run's health, created with the client.
type runGauges struct {
	running, buffered, paused, unsettled metric.Int64ObservableGauge
}

func newRunGauges(m metric.Meter) runGauges {
	var g runGauges
	var err error
	if g.running, err = m.Int64ObservableGauge(HandlersRunningName, metric.WithUnit("{handler}"),
		metric.WithDescription("Handlers Run is running now.")); err != nil {
		otel.Handle(err)
	}
	if g.buffered, err = m.Int64ObservableGauge(MessagesBufferedName, metric.WithUnit("{message}"),
		metric.WithDescription("Messages Run has polled and not started yet.")); err != nil {
		otel.Handle(err)
	}
	if g.paused, err = m.Int64ObservableGauge(PartitionsPausedName, metric.WithUnit("{partition}"),
		metric.WithDescription("Partitions Run has paused for back-pressure.")); err != nil {
		otel.Handle(err)
	}
	if g.unsettled, err = m.Int64ObservableGauge(OffsetsUnsettledName, metric.WithUnit("{offset}"),
		metric.WithDescription("Offsets between a partition's committed offset and its highest finished one: "+
			"work a crash would leave to the next owner.")); err != nil {
		otel.Handle(err)
	}
	return g
}

// RunState is what ObserveRun reads at each collection.
type RunState func(dst []poller.Progress) (running, buffered int, parts []poller.Progress)

// ObserveRun reports state through Run's health gauges until the returned
// function is called.
func (c *Client) ObserveRun(state RunState) (stop func()) {
	if c == nil || c.meter == nil {
		return func() {}
	}
	g := newRunGauges(c.meter) // the SDK returns the same instruments each Run
	clientSet := c.sets.client
	var buf []poller.Progress
	reg, err := c.meter.RegisterCallback(func(ctx context.Context, o metric.Observer) error {
		running, buffered, parts := state(buf[:0])
		buf = parts
		paused := 0
		for _, p := range parts {
			if p.Paused {
				paused++
			}
			set := c.sets.get(key{op: semconv.Process, topic: p.Topic, partition: p.Partition})
			o.ObserveInt64(g.unsettled, p.Unsettled(), metric.WithAttributeSet(set.Set))
		}
		o.ObserveInt64(g.running, int64(running), metric.WithAttributeSet(clientSet))
		o.ObserveInt64(g.buffered, int64(buffered), metric.WithAttributeSet(clientSet))
		o.ObserveInt64(g.paused, int64(paused), metric.WithAttributeSet(clientSet))
		return nil
	}, g.running, g.buffered, g.paused, g.unsettled)
	if err != nil {
		otel.Handle(err)
		return func() {}
	}
	return func() {
		if err := reg.Unregister(); err != nil {
			otel.Handle(err)
		}
	}
}
