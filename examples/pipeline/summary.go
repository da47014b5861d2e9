package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
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

// summarize reads what the run's metrics recorded, per topic.
func summarize(ctx context.Context, r *sdkmetric.ManualReader) (map[string]*topicSummary, error) {
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
					topic, _ := dp.Attributes.Value("messaging.destination.name")
					switch m.Name {
					case "messaging.client.sent.messages":
						get(topic.AsString()).sent += dp.Value
					case "messaging.client.consumed.messages":
						get(topic.AsString()).consumed += dp.Value
					}
				}
			case metricdata.Histogram[float64]:
				for _, dp := range d.DataPoints {
					topic, _ := dp.Attributes.Value("messaging.destination.name")
					switch m.Name {
					case "messaging.process.duration":
						get(topic.AsString()).process.merge(dp)
					case "kafkatrace.message.time_in_queue":
						get(topic.AsString()).queue.merge(dp)
					}
				}
			case metricdata.Gauge[int64]:
				if m.Name != "kafka.consumer.records_lag" {
					continue
				}
				for _, dp := range d.DataPoints {
					topic, _ := dp.Attributes.Value("messaging.destination.name")
					s := get(topic.AsString())
					s.maxLag, s.lagKnown = max(s.maxLag, dp.Value), true
				}
			}
		}
	}
	return out, nil
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
