package tracetree_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kafkatrace/kafkatrace/internal/tracetree"
)

// names returns the names of the tree's spans, depth-first, each prefixed
// by its depth in dots.
func names(ns []*tracetree.Node, depth string) []string {
	var out []string
	for _, n := range ns {
		out = append(out, depth+n.Span.Name)
		out = append(out, names(n.Children, depth+".")...)
	}
	return out
}

func TestTreeShape(t *testing.T) {
	spans := demo()
	roots := tracetree.Tree(spans)
	require.Len(t, roots, 1)
	assert.Equal(t, []string{
		"place order", ".send orders", "..process orders", "...send payments",
		"....process payments", ".....send notifications",
	}, names(roots, ""))
	assert.Equal(t, 1, roots[0].Index, "Index is the span's place in the input")
	assert.Equal(t, spans[1], roots[0].Span)
}

func TestTreeChildrenByStartTime(t *testing.T) {
	spans := []tracetree.Span{
		span("00000000000000a0", "", "svc", "root", 0, 100),
		span("00000000000000a3", "00000000000000a0", "svc", "third", 30, 1),
		span("00000000000000a1", "00000000000000a0", "svc", "first", 10, 1),
		span("00000000000000a4", "00000000000000a0", "svc", "tie-a", 40, 1),
		span("00000000000000a5", "00000000000000a0", "svc", "tie-b", 40, 1),
		span("00000000000000a2", "00000000000000a0", "svc", "second", 20, 1),
	}
	assert.Equal(t, []string{"root", ".first", ".second", ".third", ".tie-a", ".tie-b"}, names(tracetree.Tree(spans), ""),
		"children by start time, ties in input order")
}

func TestTreeMissingParentsAreRoots(t *testing.T) {
	spans := []tracetree.Span{
		span("00000000000000b2", "00000000000000ff", "svc", "orphan", 5, 1), // parent not in the trace
		span("00000000000000b1", "", "svc", "root", 0, 10),
		span("00000000000000b3", "00000000000000b3", "svc", "own parent", 7, 1),
		span("00000000000000b4", "00000000000000b1", "svc", "child", 1, 1),
	}
	assert.Equal(t, []string{"root", ".child", "orphan", "own parent"}, names(tracetree.Tree(spans), ""))
}

func TestTreeCycleIsCut(t *testing.T) {
	spans := []tracetree.Span{
		span("00000000000000c1", "00000000000000c3", "svc", "a", 0, 1),
		span("00000000000000c2", "00000000000000c1", "svc", "b", 1, 1),
		span("00000000000000c3", "00000000000000c2", "svc", "c", 2, 1),
		span("00000000000000c4", "", "svc", "root", 3, 1),
	}
	assert.Equal(t, []string{"a", ".b", "..c", "root"}, names(tracetree.Tree(spans), ""),
		"every span once: the earliest of the cycle becomes a root")
}

func TestTreeEmpty(t *testing.T) {
	assert.Empty(t, tracetree.Tree(nil))
	assert.Empty(t, render(t, nil, tracetree.Options{}), "no spans, no output")
}
