package tracetree

// layout is the width of each column of a span's line:
//
//	"  " service " " name " |" bar "| " duration "  " details
type layout struct {
	svc, name, bar, dur, det int
}

// Fixed columns of a line: the indent, the spaces between columns, the
// bar's two edges and the two spaces before the details.
const fixedCols = 2 + 1 + 1 + 2 + 1 + 2

// Bounds of the bar.
const (
	minBar  = 8
	wideBar = 32 // the demo's bar, given once everything else fits
	maxBar  = 48
)

// demand is what a trace's lines would like.
type demand struct {
	svc, name, dur int // widest service, indented name and duration
	first, all     int // widest first detail and widest full details
}

// plan divides width columns among the columns. It starts from small
// minimums and grows the columns in turn, most useful first: whole names
// (the tree), some service, each line's most useful detail, a readable bar,
// longer services and all details, the demo's bar, then long names,
// services and details in full, then a wider bar.
func plan(width int, d demand) layout {
	l := layout{svc: min(d.svc, 4), name: min(d.name, 8), bar: minBar, dur: d.dur}
	left := width - fixedCols - l.dur - l.svc - l.name - l.bar
	grow := func(col *int, to int) {
		if add := min(to-*col, left); add > 0 {
			*col += add
			left -= add
		}
	}
	grow(&l.name, min(d.name, 48))
	grow(&l.svc, min(d.svc, 6))
	grow(&l.det, min(d.first, 16))
	grow(&l.bar, 12)
	grow(&l.svc, min(d.svc, 16))
	grow(&l.det, min(d.all, 48))
	grow(&l.bar, wideBar)
	grow(&l.svc, min(d.svc, 24))
	grow(&l.name, min(d.name, 96))
	grow(&l.det, d.all)
	grow(&l.svc, min(d.svc, 48))
	grow(&l.name, d.name)
	grow(&l.svc, d.svc)
	grow(&l.bar, maxBar)
	return l
}
