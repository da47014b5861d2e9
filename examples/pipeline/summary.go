package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/kafkatrace/kafkatrace/internal/kmetrics"
	"github.com/kafkatrace/kafkatrace/semconv"
)

// topicSummary is what the demo's closing table shows for one topic.
type topicSummary struct {
	sent, consumed    int64
	process, queue    histo
	maxLag            int64
	lagKnown, hasData bool
}

// histo is one histogram, merged over its data points.
type histo struct {
	bounds []float64
	counts []uint64
	total  uint64
}

func (h *histo) merge(dp metricdata.HistogramDataPoint[float64]) {
	if h.counts == nil {
		h.bounds, h.counts = dp.Bounds, make([]uint64, len(dp.BucketCounts))
	}
	for i, c := range dp.BucketCounts {
		if i < len(h.counts) {
			h.counts[i] += c
		}
	}
	h.total += dp.Count
}

// quantile is the upper bound of the bucket holding quantile q: the
// histogram's resolution, which is what a dashboard shows too.
func (h histo) quantile(q float64) string {
	if h.total == 0 {
		return "-"
	}
	rank := uint64(math.Ceil(q * float64(h.total)))
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			if i < len(h.bounds) {
				return "≤" + (time.Duration(h.bounds[i] * float64(time.Second))).String()
			}
			return ">" + (time.Duration(h.bounds[len(h.bounds)-1] * float64(time.Second))).String()
		}
	}
	return "-"
}

// summarize reads what the run's metrics recorded, per topic; a topic's
// lag is the highest lags has seen, in this collection too.
func summarize(ctx context.Context, r *sdkmetric.ManualReader, lags *lagWatch) (map[string]*topicSummary, error) {
	var rm metricdata.ResourceMetrics
	if err := r.Collect(ctx, &rm); err != nil {
		return nil, err
	}
	out := map[string]*topicSummary{}
	get := func(topic string) *topicSummary {
		s, ok := out[topic]
		if !ok {
			s = &topicSummary{}
			out[topic] = s
		}
		s.hasData = true
		return s
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, dp := range d.DataPoints {
					topic, _ := dp.Attributes.Value(semconv.DestinationNameKey)
					switch m.Name {
					case "messaging.client.sent.messages":
						get(topic.AsString()).sent += dp.Value
					case "messaging.client.consumed.messages":
						get(topic.AsString()).consumed += dp.Value
					}
				}
			case metricdata.Histogram[float64]:
				for _, dp := range d.DataPoints {
					topic, _ := dp.Attributes.Value(semconv.DestinationNameKey)
					switch m.Name {
					case "messaging.process.duration":
						get(topic.AsString()).process.merge(dp)
					case "kafkatrace.message.time_in_queue":
						get(topic.AsString()).queue.merge(dp)
					}
				}
			}
		}
	}
	if lags != nil {
		lags.update(rm)
		for topic, lag := range lags.max {
			s := get(topic)
			s.maxLag, s.lagKnown = lag, true
		}
	}
	return out, nil
}

// lagWatch keeps the highest kafka.consumer.records_lag seen per topic over
// the run. That gauge comes from librdkafka's statistics (every
// statistics.interval.ms) and measures a partition's lag against the
// group's committed offset, so it is known only once the group has
// committed there; the demo reads it at every trace and once more at the end.
type lagWatch struct {
	max map[string]int64
}

// observe collects r and records the lags it shows. It reports whether
// every partition that delivered a message is known to be caught up: its
// lag is 0 in the latest statistics, so what was consumed is committed.
func (l *lagWatch) observe(ctx context.Context, r *sdkmetric.ManualReader) (caughtUp bool, err error) {
	var rm metricdata.ResourceMetrics
	if err := r.Collect(ctx, &rm); err != nil {
		return false, err
	}
	return l.update(rm), nil
}

type topicPartition struct{ topic, partition string }

func (l *lagWatch) update(rm metricdata.ResourceMetrics) (caughtUp bool) {
	if l.max == nil {
		l.max = map[string]int64{}
	}
	consumed := map[topicPartition]bool{}
	lag := map[topicPartition]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				if m.Name != "messaging.client.consumed.messages" {
					continue
				}
				for _, dp := range d.DataPoints {
					if dp.Value > 0 {
						consumed[partitionOf(dp.Attributes)] = true
					}
				}
			case metricdata.Gauge[int64]:
				if m.Name != kmetrics.RecordsLagName {
					continue
				}
				for _, dp := range d.DataPoints {
					tp := partitionOf(dp.Attributes)
					lag[tp] = max(lag[tp], dp.Value)
					if cur, ok := l.max[tp.topic]; !ok || dp.Value > cur {
						l.max[tp.topic] = dp.Value
					}
				}
			}
		}
	}
	for tp := range consumed {
		if v, ok := lag[tp]; !ok || v != 0 {
			return false
		}
	}
	return true
}

func partitionOf(attrs attribute.Set) topicPartition {
	topic, _ := attrs.Value(semconv.DestinationNameKey)
	part, _ := attrs.Value(semconv.PartitionIDKey)
	return topicPartition{topic.AsString(), part.AsString()}
}

// printSummary writes the one-screen table of the run's metrics.
func printSummary(w io.Writer, sums map[string]*topicSummary) {
	topics := make([]string, 0, len(sums))
	for t := range sums {
		if t != "" {
			topics = append(topics, t)
		}
	}
	sort.Strings(topics)
	fmt.Fprintf(w, "metrics of this run (OpenTelemetry, recorded by the same interceptors):\n")
	fmt.Fprintf(w, "  %-14s %6s %9s %12s %12s %18s %8s\n", "topic", "sent", "consumed", "process p50", "process p99", "time in queue p99", "max lag")
	for _, t := range topics {
		s := sums[t]
		lag := "-"
		if s.lagKnown {
			lag = fmt.Sprint(s.maxLag)
		}
		fmt.Fprintf(w, "  %-14s %6d %9d %12s %12s %18s %8s\n", t, s.sent, s.consumed,
			s.process.quantile(0.5), s.process.quantile(0.99), s.queue.quantile(0.99), lag)
	}
}
