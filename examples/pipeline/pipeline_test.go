package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/goleak"

	"github.com/kafkatrace/kafkatrace/internal/tracetree"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The demo's trees have the shape of the journey: one root, and each hop a
// child of the one before, across the three services.
func TestPipelineTreeStructure(t *testing.T) {
	var out, summary bytes.Buffer
	var traces [][]sdktrace.ReadOnlySpan
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	n, err := run(ctx, config{
		Messages: 3, Interval: 10 * time.Millisecond, Out: &out, Progress: io.Discard, Summary: &summary,
		OnTrace: func(s []sdktrace.ReadOnlySpan) { traces = append(traces, s) },
	})
	require.NoError(t, err)
	require.Equal(t, 3, n)
	// The metrics summary counts what the trees show: 3 orders sent and
	// consumed (processed by payments), 3 payments, 3 notifications sent.
	assert.Regexp(t, `(?m)^  orders +3 +3 `, summary.String())
	assert.Regexp(t, `(?m)^  payments +3 +3 `, summary.String())
	assert.Regexp(t, `(?m)^  notifications +3 +0 `, summary.String())
	// The consumers emit statistics, so the lag of the consumed topics is
	// known (the last column is a number, not "-").
	assert.Regexp(t, `(?m)^  orders .* \d+$`, summary.String())
	assert.Regexp(t, `(?m)^  payments .* \d+$`, summary.String())
	require.Len(t, traces, 3)

	want := []struct{ service, name string }{
		{"orders", "place order"},
		{"orders", "send orders"},
		{"payments", "process orders"},
		{"payments", "send payments"},
		{"notifications", "process payments"},
		{"notifications", "send notifications"},
	}
	kinds := []trace.SpanKind{trace.SpanKindInternal, trace.SpanKindProducer, trace.SpanKindConsumer,
		trace.SpanKindProducer, trace.SpanKindConsumer, trace.SpanKindProducer}
	for _, spans := range traces {
		roots := buildTree(spans)
		require.Len(t, roots, 1, "one root per trace")
		n := roots[0]
		for i, w := range want {
			require.NotNil(t, n, "depth %d", i)
			assert.Equal(t, w.name, n.span.Name(), "depth %d", i)
			assert.Equal(t, w.service, serviceOf(n.span), "depth %d", i)
			assert.Equal(t, kinds[i], n.span.SpanKind(), "depth %d", i)
			if i < len(want)-1 {
				require.Len(t, n.children, 1, "%s has one child", n.span.Name())
				n = n.children[0]
			} else {
				assert.Empty(t, n.children)
			}
		}
	}

	// The printed tree: lines in journey order, each deeper than the last.
	text := out.String()
	assert.Equal(t, 3, strings.Count(text, "6 spans, 3 services"))
	lines := strings.Split(strings.SplitN(text, "\n\n", 2)[0], "\n")[1:]
	require.Len(t, lines, len(want))
	indent := -1
	for i, line := range lines {
		assert.Contains(t, line, want[i].name)
		at := strings.Index(line, want[i].name)
		assert.Greater(t, at, indent, "line %d is nested under the one before", i)
		indent = at
	}
	assert.Contains(t, text, "group=payments")
	assert.Contains(t, text, "└─ process orders")
}

// node is a span in a trace tree.
type node struct {
	span     sdktrace.ReadOnlySpan
	children []*node
}

// buildTree is the renderer's tree (tracetree.Tree) over the SDK's spans.
func buildTree(spans []sdktrace.ReadOnlySpan) []*node {
	var convert func([]*tracetree.Node) []*node
	convert = func(ns []*tracetree.Node) []*node {
		out := make([]*node, len(ns))
		for i, n := range ns {
			out[i] = &node{span: spans[n.Index], children: convert(n.Children)}
		}
		return out
	}
	return convert(tracetree.Tree(toTree(spans)))
}
