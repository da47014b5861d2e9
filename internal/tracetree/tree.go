package tracetree

import "sort"

// Node is a span in a trace tree.
type Node struct {
	Span     Span
	Index    int     // position of Span in the slice given to Tree
	Children []*Node // ordered by start time
}

// Tree links spans to their parents and returns the roots, ordered by start
// time, as are every node's children; spans of equal start keep their
// order in spans. A span whose parent is not in spans (or is itself) is a
// root. Spans whose parents form a cycle are cut from it: the earliest
// becomes a root, so every span appears exactly once. When span IDs repeat,
// children attach to the first span with that ID.
func Tree(spans []Span) []*Node {
	nodes := make([]*Node, len(spans))
	byID := make(map[string]int, len(spans))
	for i, s := range spans {
		nodes[i] = &Node{Span: s, Index: i}
		if _, dup := byID[s.SpanID]; !dup && s.SpanID != "" {
			byID[s.SpanID] = i
		}
	}
	parent := make([]int, len(spans))
	var roots []*Node
	for i, s := range spans {
		p, ok := byID[s.ParentID]
		if s.ParentID == "" || !ok || p == i {
			parent[i] = -1
			roots = append(roots, nodes[i])
			continue
		}
		parent[i] = p
		nodes[p].Children = append(nodes[p].Children, nodes[i])
	}
	for _, n := range nodes {
		byStart(n.Children)
	}
	byStart(roots)

	// Spans unreachable from a root sit on a cycle or under one: cut the
	// earliest from its parent and make it a root, until none is left.
	seen := make([]bool, len(spans))
	for _, r := range roots {
		mark(r, seen)
	}
	if len(roots) == len(spans) {
		return roots
	}
	order := append([]*Node(nil), nodes...)
	byStart(order)
	for _, n := range order {
		if seen[n.Index] {
			continue
		}
		p := nodes[parent[n.Index]]
		for i, c := range p.Children {
			if c == n {
				p.Children = append(p.Children[:i], p.Children[i+1:]...)
				break
			}
		}
		parent[n.Index] = -1
		roots = append(roots, n)
		mark(n, seen)
	}
	byStart(roots)
	return roots
}

// byStart orders nodes by start time, ties by their place in the input.
func byStart(ns []*Node) {
	sort.SliceStable(ns, func(i, j int) bool {
		a, b := ns[i], ns[j]
		if !a.Span.Start.Equal(b.Span.Start) {
			return a.Span.Start.Before(b.Span.Start)
		}
		return a.Index < b.Index
	})
}

// mark sets seen for n and everything under it.
func mark(n *Node, seen []bool) {
	stack := []*Node{n}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[n.Index] {
			continue
		}
		seen[n.Index] = true
		stack = append(stack, n.Children...)
	}
}

// walk visits the trees depth-first in order. For each node it passes its
// depth and, for each level from 1 to depth, whether the node's ancestor at
// that level (or the node itself, last) is the last of its siblings. The
// slice is reused between calls.
func walk(roots []*Node, visit func(n *Node, lasts []bool)) {
	type frame struct {
		n     *Node
		depth int
		last  bool
	}
	var lasts []bool
	stack := make([]frame, 0, len(roots))
	for i := len(roots) - 1; i >= 0; i-- {
		stack = append(stack, frame{roots[i], 0, true})
	}
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if f.depth > 0 {
			lasts = append(lasts[:f.depth-1], f.last)
		} else {
			lasts = lasts[:0]
		}
		visit(f.n, lasts)
		for i := len(f.n.Children) - 1; i >= 0; i-- {
			stack = append(stack, frame{f.n.Children[i], f.depth + 1, i == len(f.n.Children)-1})
		}
	}
}
