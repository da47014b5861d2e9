package tracetree

import "time"

// Span is one span of a trace, as the renderer needs it (from the SDK or
// from Jaeger).
type Span struct {
	TraceID       string // 32 hex digits
	SpanID        string // 16 hex digits
	ParentID      string // "" for a root (or a parent not in the trace)
	Name          string
	Service       string
	Kind          string // "producer", "consumer", "client", "server", "internal" or ""
	Start         time.Time
	Duration      time.Duration
	Error         bool
	StatusMessage string
	Attrs         map[string]string // attribute values as text
	Links         []string          // span IDs this span links to (batch spans link to every message's send span)
}

// End returns the time the span ended.
func (s Span) End() time.Time { return s.Start.Add(s.Duration) }

// Options shape the output.
type Options struct {
	// Width is the number of columns available. Zero or less means 80;
	// below MinWidth it is MinWidth (lines may then wrap).
	Width int
	// Link is printed under the header line when not "" (a Jaeger URL).
	Link string
}

// Widths the renderer uses.
const (
	DefaultWidth = 80 // when Options.Width is zero or less
	MinWidth     = 40 // the narrowest width honoured
)

func (o Options) width() int {
	switch {
	case o.Width <= 0:
		return DefaultWidth
	case o.Width < MinWidth:
		return MinWidth
	}
	return o.Width
}
