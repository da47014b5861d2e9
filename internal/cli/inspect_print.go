package cli

import (
	"fmt"
	"io"
	"strings"
)

// printRecord writes r for people: a line naming the message, then one
// labelled line per header of trace context.
func printRecord(w io.Writer, r *record) {
	ts := "no timestamp"
	if r.AgeMS != nil {
		ts = fmt.Sprintf("%s (age %s)", r.Timestamp, fmtAge(r.age))
		if r.TimestampType == "log_append" {
			ts += " log-append time"
		}
	}
	fmt.Fprintf(w, "%s [%d] @ %d  %s\n", r.Topic, r.Partition, r.Offset, ts)
	line := func(label, format string, a ...any) {
		fmt.Fprintf(w, "  %-14s %s\n", label, fmt.Sprintf(format, a...))
	}
	if r.Key != nil {
		if string(r.Key) == "null" {
			line("key", "(null)")
		} else {
			line("key", "\"%s\"", r.key)
		}
	}
	line("headers", "%d (%d not trace context)", r.Headers, r.OtherHeaders)
	for _, h := range r.OtherList {
		line("  header", "\"%s\" = \"%s\"", h.Key, h.Value)
	}
	if r.OtherHeaders > len(r.OtherList) && len(r.OtherList) > 0 {
		line("", "… %d more", r.OtherHeaders-len(r.OtherList))
	}
	tc := &r.Trace
	if tc.empty() {
		line("trace", "none (no traceparent, uber-trace-id or b3 headers)")
	}
	if v := tc.TraceParent; v != nil {
		if v.Valid {
			line("traceparent", "trace %s  parent %s  %s%s", v.TraceID, v.ParentSpanID, sampled(v.Sampled, false), flagsNote(v.Version, v.Flags))
		} else {
			line("traceparent", "%s", invalidText(&v.invalid))
		}
		dupLine(line, v.Duplicates)
	}
	if v := tc.TraceState; v != nil {
		line("tracestate", "%s", membersText(v, false))
	}
	if v := tc.Baggage; v != nil {
		line("baggage", "%s", membersText(v, true))
	}
	if v := tc.UberTraceID; v != nil {
		if v.Valid {
			line("uber-trace-id", "trace %s  span %s  parent %s  %s", v.TraceID, v.SpanID, orNone(v.ParentSpanID), sampled(v.Sampled, v.Debug))
		} else {
			line("uber-trace-id", "%s", invalidText(&v.invalid))
		}
		dupLine(line, v.Duplicates)
	}
	for _, b := range []struct {
		label string
		v     *b3
	}{{"b3", tc.B3}, {"X-B3-*", tc.B3Multi}} {
		if b.v == nil {
			continue
		}
		switch {
		case !b.v.Valid:
			line(b.label, "%s", invalidText(&b.v.invalid))
		case b.v.TraceID == "":
			line(b.label, "no IDs, %s", sampled(b.v.Sampled, b.v.Debug))
		default:
			line(b.label, "trace %s  span %s  parent %s  %s", b.v.TraceID, b.v.SpanID, orNone(b.v.ParentSpanID), sampled(b.v.Sampled, b.v.Debug))
		}
		dupLine(line, b.v.Duplicates)
	}
	if tc.URL != "" {
		line("url", "%s", tc.URL)
	}
	fmt.Fprintln(w)
}

// sampled describes a sampling decision.
func sampled(s *bool, debug bool) string {
	switch {
	case s == nil:
		return "sampling deferred"
	case debug:
		return "sampled (debug)"
	case *s:
		return "sampled"
	default:
		return "not sampled"
	}
}

// flagsNote mentions traceparent flags and versions beyond the common ones.
func flagsNote(version, flags string) string {
	var notes []string
	if flags != "00" && flags != "01" {
		notes = append(notes, "flags "+flags)
	}
	if version != "00" {
		notes = append(notes, "version "+version)
	}
	if len(notes) == 0 {
		return ""
	}
	return "  (" + strings.Join(notes, ", ") + ")"
}

// orNone is s, or "none" when it is empty.
func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// invalidText describes an undecodable header with its escaped value.
func invalidText(v *invalid) string {
	return fmt.Sprintf("invalid: %s: \"%s\"", v.Error, v.Raw)
}

// dupLine notes duplicates of a header, if any.
func dupLine(line func(string, string, ...any), n int) {
	if n > 0 {
		line("", "%d duplicates ignored (the first is shown)", n)
	}
}

// membersText lists tracestate or baggage members on one line.
func membersText(l *memberList, withProps bool) string {
	parts := make([]string, 0, len(l.Members)+2)
	for _, m := range l.Members {
		s := m.Key + "=" + m.Value
		if withProps && len(m.Properties) > 0 {
			s += ";" + strings.Join(m.Properties, ";")
		}
		if m.Error != "" {
			s += " (" + m.Error + ")"
		}
		parts = append(parts, s)
	}
	s := strings.Join(parts, ", ")
	if len(parts) == 0 {
		s = "(empty)"
	}
	if l.More > 0 {
		s += fmt.Sprintf(", … %d more", l.More)
	}
	if l.Error != "" {
		s += "  [invalid: " + l.Error + "]"
	}
	if l.Duplicates > 0 {
		s += fmt.Sprintf("  [%d duplicates ignored]", l.Duplicates)
	}
	return s
}
