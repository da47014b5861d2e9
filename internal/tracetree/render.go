package tracetree

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// row is what one span's line shows, before it is fitted to the layout.
type row struct {
	svc, name, dur string
	items          []item
	from, to       time.Duration // span start and end, from the trace's start
}

// Render writes spans (one trace) as a waterfall: a header line
//
//	trace <id>  N spans, M services, <total>
//
// then, under opts.Link when it is not "", one line a span: its service,
// its name indented under its parent, a bar on the trace's timeline, its
// duration and details (p<partition> @<offset> group=<g> queued=<n>ms,
// links=<n> when the span has links, ERROR <message>). Children are ordered
// by start time; spans whose parent is missing are roots (see [Tree]).
//
// Every line fits in opts.Width columns. When space is short, the service
// and name columns are shortened with an ellipsis, deep indentation is
// elided from the left ("…"), the bar shrinks to 8 cells and details are
// dropped, least useful first (time in queue, offset, partition, group,
// links; an error's message is shortened and ERROR goes last). Render
// writes nothing for no spans, and no blank line after the trace.
func Render(w io.Writer, spans []Span, opts Options) {
	if len(spans) == 0 {
		return
	}
	cols := opts.width()
	roots := Tree(spans)

	start, end := spans[0].Start, spans[0].End()
	traceID := ""
	services := map[string]bool{}
	for _, s := range spans {
		if s.Start.Before(start) {
			start = s.Start
		}
		if s.End().After(end) {
			end = s.End()
		}
		if s.Service != "" {
			services[s.Service] = true
		}
		if traceID == "" {
			traceID = s.TraceID
		}
	}
	total := end.Sub(start)

	var b strings.Builder
	b.WriteString(truncate(fmt.Sprintf("trace %s  %s, %s, %s", clean(traceID, cols),
		plural(len(spans), "span"), plural(len(services), "service"), duration(total)), cols))
	b.WriteByte('\n')
	if opts.Link != "" {
		b.WriteString("  " + truncate(clean(opts.Link, cols), cols-2) + "\n")
	}

	// First pass: each line's text and what the columns would like.
	rows := make([]row, len(spans))
	var d demand
	walk(roots, func(n *Node, lasts []bool) {
		s := n.Span
		r := row{
			svc:   clean(s.Service, cols),
			name:  clean(s.Name, cols),
			dur:   duration(s.Duration),
			items: details(s, cols),
			from:  s.Start.Sub(start),
			to:    s.End().Sub(start),
		}
		rows[n.Index] = r
		d.svc = max(d.svc, width(r.svc))
		d.name = max(d.name, min(3*len(lasts), cols)+width(r.name))
		d.dur = max(d.dur, width(r.dur))
		d.first = max(d.first, firstWidth(r.items))
		d.all = max(d.all, fullWidth(r.items))
	})
	l := plan(cols, d)

	// Second pass: the lines.
	walk(roots, func(n *Node, lasts []bool) {
		r := rows[n.Index]
		b.WriteString("  ")
		b.WriteString(fit(r.svc, l.svc))
		b.WriteByte(' ')
		b.WriteString(fit(indent(lasts, r.name, l.name), l.name))
		b.WriteByte(' ')
		b.WriteString(bar(r.from, r.to, total, l.bar))
		b.WriteByte(' ')
		b.WriteString(fitRight(r.dur, l.dur))
		if det := join(r.items, l.det); det != "" {
			b.WriteString("  ")
			b.WriteString(det)
		}
		b.WriteByte('\n')
	})
	_, _ = io.WriteString(w, b.String())
}

// indent returns name under its tree prefix, within cols columns. When
// the prefix leaves too little of the name, its outermost levels give way
// to "…".
func indent(lasts []bool, name string, cols int) string {
	depth := len(lasts)
	if depth == 0 {
		return name
	}
	keep := min(width(name), max(cols/2, min(10, cols-4))) // name columns to keep
	levels, elided := depth, false
	if 3*depth > cols-keep {
		levels, elided = max((cols-keep-1)/3, 0), true
	}
	var b strings.Builder
	if elided {
		b.WriteString("…")
	}
	for i := depth - levels; i < depth; i++ {
		switch {
		case i == depth-1 && lasts[i]:
			b.WriteString("└─ ")
		case i == depth-1:
			b.WriteString("├─ ")
		case lasts[i]:
			b.WriteString("   ")
		default:
			b.WriteString("│  ")
		}
	}
	b.WriteString(name)
	return b.String()
}

// bar draws the span from..to on a timeline of total in cells cells.
func bar(from, to, total time.Duration, cells int) string {
	if total <= 0 {
		total = 1
	}
	a := int(float64(from) / float64(total) * float64(cells))
	z := int(float64(to)/float64(total)*float64(cells) + 0.999)
	a = min(max(a, 0), cells-1)
	z = min(max(z, a+1), cells)
	return "|" + strings.Repeat(" ", a) + strings.Repeat("█", z-a) + strings.Repeat(" ", cells-z) + "|"
}

// duration formats d in at most 7 columns below 100 hours: 12.3ms, 4.56s,
// 12m05s, 3h07m.
func duration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch ms := float64(d.Microseconds()) / 1000; {
	case ms < 999.95:
		return fmt.Sprintf("%.1fms", ms)
	case d < 99995*time.Millisecond:
		return fmt.Sprintf("%.2fs", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
