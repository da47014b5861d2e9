package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// collector is a span processor shared by the three services: it groups
// ended spans by trace and hands over a trace once it has all its spans.
type collector struct {
	want int // spans in a complete trace
	out  chan []sdktrace.ReadOnlySpan

	mu     sync.Mutex
	traces map[trace.TraceID][]sdktrace.ReadOnlySpan
}

func newCollector(want int) *collector {
	return &collector{want: want, out: make(chan []sdktrace.ReadOnlySpan, 1024), traces: map[trace.TraceID][]sdktrace.ReadOnlySpan{}}
}

func (c *collector) OnStart(context.Context, sdktrace.ReadWriteSpan) {}

func (c *collector) OnEnd(s sdktrace.ReadOnlySpan) {
	id := s.SpanContext().TraceID()
	c.mu.Lock()
	c.traces[id] = append(c.traces[id], s)
	spans := c.traces[id]
	if len(spans) == c.want {
		delete(c.traces, id)
	}
	c.mu.Unlock()
	if len(spans) == c.want {
		c.out <- spans
	}
}

func (c *collector) Shutdown(context.Context) error   { return nil }
func (c *collector) ForceFlush(context.Context) error { return nil }

// node is a span in a trace tree.
type node struct {
	span     sdktrace.ReadOnlySpan
	children []*node
}

// buildTree links spans to their parents; spans whose parent is not in the
// trace are roots. Children are ordered by start time.
func buildTree(spans []sdktrace.ReadOnlySpan) []*node {
	byID := map[trace.SpanID]*node{}
	for _, s := range spans {
		byID[s.SpanContext().SpanID()] = &node{span: s}
	}
	var roots []*node
	for _, s := range spans {
		n := byID[s.SpanContext().SpanID()]
		if p, ok := byID[s.Parent().SpanID()]; ok && s.Parent().IsValid() {
			p.children = append(p.children, n)
		} else {
			roots = append(roots, n)
		}
	}
	var order func([]*node)
	order = func(ns []*node) {
		sort.Slice(ns, func(i, j int) bool { return ns[i].span.StartTime().Before(ns[j].span.StartTime()) })
		for _, n := range ns {
			order(n.children)
		}
	}
	order(roots)
	return roots
}

const barWidth = 32

// render writes a trace as a waterfall: one line a span, indented by depth,
// with its service, a bar placed on the trace's timeline, its duration and
// the attributes worth seeing.
func render(w io.Writer, spans []sdktrace.ReadOnlySpan, link string) {
	roots := buildTree(spans)
	start, end := spans[0].StartTime(), spans[0].EndTime()
	services := map[string]bool{}
	for _, s := range spans {
		if s.StartTime().Before(start) {
			start = s.StartTime()
		}
		if s.EndTime().After(end) {
			end = s.EndTime()
		}
		services[serviceOf(s)] = true
	}
	total := end.Sub(start)
	fmt.Fprintf(w, "trace %s  %d spans, %d services, %s\n", spans[0].SpanContext().TraceID(), len(spans), len(services), ms(total))
	if link != "" {
		fmt.Fprintf(w, "  %s\n", link)
	}
	var walk func(n *node, prefix string, last, root bool)
	walk = func(n *node, prefix string, last, root bool) {
		branch, childPrefix := "", prefix
		if !root {
			branch, childPrefix = "├─ ", prefix+"│  "
			if last {
				branch, childPrefix = "└─ ", prefix+"   "
			}
		}
		s := n.span
		name := prefix + branch + s.Name()
		fmt.Fprintf(w, "  %-14s %-34s %s %8s  %s\n", serviceOf(s), name, bar(s, start, total), ms(s.EndTime().Sub(s.StartTime())), details(s))
		for i, c := range n.children {
			walk(c, childPrefix, i == len(n.children)-1, false)
		}
	}
	for _, r := range roots {
		walk(r, "", true, true)
	}
	fmt.Fprintln(w)
}

func bar(s sdktrace.ReadOnlySpan, start time.Time, total time.Duration) string {
	if total <= 0 {
		total = 1
	}
	from := int(float64(s.StartTime().Sub(start)) / float64(total) * barWidth)
	to := int(float64(s.EndTime().Sub(start))/float64(total)*barWidth + 0.999)
	from = min(max(from, 0), barWidth-1)
	to = min(max(to, from+1), barWidth)
	return "|" + strings.Repeat(" ", from) + strings.Repeat("█", to-from) + strings.Repeat(" ", barWidth-to) + "|"
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

// details picks the attributes a reader wants: partition, offset, group and
// time in queue.
func details(s sdktrace.ReadOnlySpan) string {
	var b strings.Builder
	get := func(k attribute.Key) (attribute.Value, bool) {
		for _, kv := range s.Attributes() {
			if kv.Key == k {
				return kv.Value, true
			}
		}
		return attribute.Value{}, false
	}
	if v, ok := get("messaging.destination.partition.id"); ok {
		fmt.Fprintf(&b, "p%s ", v.String())
	}
	if v, ok := get("messaging.kafka.offset"); ok {
		fmt.Fprintf(&b, "@%s ", v.String())
	}
	if v, ok := get("messaging.consumer.group.name"); ok {
		fmt.Fprintf(&b, "group=%s ", v.String())
	}
	if v, ok := get("kafkatrace.message.time_in_queue_ms"); ok {
		fmt.Fprintf(&b, "queued=%sms ", v.String())
	}
	if s.Status().Code == 1 { // codes.Error
		fmt.Fprintf(&b, "ERROR %s", s.Status().Description)
	}
	return strings.TrimSpace(b.String())
}

func serviceOf(s sdktrace.ReadOnlySpan) string {
	if s.Resource() == nil {
		return ""
	}
	for _, kv := range s.Resource().Attributes() {
		if kv.Key == "service.name" {
			return kv.Value.AsString()
		}
	}
	return ""
}
