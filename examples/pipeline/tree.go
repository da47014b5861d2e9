package main

import (
	"context"
	"fmt"
	"io"
	"sync"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/internal/tracetree"
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

// render writes a trace as a waterfall with the renderer the kafkatrace
// command uses too, followed by a blank line.
func render(w io.Writer, spans []sdktrace.ReadOnlySpan, opts tracetree.Options) {
	tracetree.Render(w, toTree(spans), opts)
	fmt.Fprintln(w)
}

// toTree converts the SDK's spans to the renderer's.
func toTree(spans []sdktrace.ReadOnlySpan) []tracetree.Span {
	out := make([]tracetree.Span, len(spans))
	for i, s := range spans {
		t := tracetree.Span{
			TraceID:       s.SpanContext().TraceID().String(),
			SpanID:        s.SpanContext().SpanID().String(),
			Name:          s.Name(),
			Service:       serviceOf(s),
			Kind:          kindOf(s.SpanKind()),
			Start:         s.StartTime(),
			Duration:      s.EndTime().Sub(s.StartTime()),
			Error:         s.Status().Code == codes.Error,
			StatusMessage: s.Status().Description,
			Attrs:         make(map[string]string, len(s.Attributes())),
		}
		if s.Parent().IsValid() {
			t.ParentID = s.Parent().SpanID().String()
		}
		for _, kv := range s.Attributes() {
			t.Attrs[string(kv.Key)] = kv.Value.String()
		}
		for _, l := range s.Links() {
			t.Links = append(t.Links, l.SpanContext.SpanID().String())
		}
		out[i] = t
	}
	return out
}

// kindOf names k as tracetree does: "producer", "consumer" and so on, or "".
func kindOf(k trace.SpanKind) string {
	if k == trace.SpanKindUnspecified {
		return ""
	}
	return k.String()
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
