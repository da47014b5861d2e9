package cli

import (
	"net/url"
	"strconv"
	"strings"
)

// uberTraceID is a decoded Jaeger uber-trace-id header
// ({trace-id}:{span-id}:{parent-span-id}:{flags}). IDs are lowercase hex,
// left-padded to 32 and 16 digits.
type uberTraceID struct {
	Valid        bool   `json:"valid"`
	TraceID      string `json:"trace_id,omitempty"`
	SpanID       string `json:"span_id,omitempty"`
	ParentSpanID string `json:"parent_span_id,omitempty"`
	Flags        string `json:"flags,omitempty"`
	Sampled      *bool  `json:"sampled,omitempty"`
	Debug        bool   `json:"debug,omitempty"`
	invalid
}

// maxLegacy is the longest uber-trace-id or b3 value decoded.
const maxLegacy = 256

// parseUber decodes an uber-trace-id value, URL-encoded or not (%3A for ':').
func parseUber(raw []byte) uberTraceID {
	fail := func(format string, a ...any) uberTraceID {
		return uberTraceID{invalid: bad(raw, format, a...)}
	}
	if len(raw) > maxLegacy {
		return fail("too long (%d bytes)", len(raw))
	}
	s := string(raw)
	if strings.Contains(s, "%") {
		dec, err := url.PathUnescape(s)
		if err != nil {
			return fail("bad URL encoding")
		}
		s = dec
	}
	f := strings.Split(s, ":")
	if len(f) != 4 {
		return fail("want trace-id:span-id:parent-span-id:flags, got %d fields", len(f))
	}
	tid, sid, pid, flags := f[0], f[1], f[2], f[3]
	switch {
	case !isHex(tid) || len(tid) > 32:
		return fail("trace-id is not 1 to 32 hex digits")
	case allZero(tid):
		return fail("trace-id is zero")
	case !isHex(sid) || len(sid) > 16:
		return fail("span-id is not 1 to 16 hex digits")
	case allZero(sid):
		return fail("span-id is zero")
	case !isHex(pid) || len(pid) > 16:
		return fail("parent-span-id is not 1 to 16 hex digits")
	}
	fl, err := strconv.ParseUint(flags, 16, 8)
	if err != nil {
		return fail("flags %q are not a hex byte", shownString(flags, 16))
	}
	u := uberTraceID{Valid: true, TraceID: pad(tid, 32), SpanID: pad(sid, 16), Flags: flags,
		Sampled: boolPtr(fl&1 == 1), Debug: fl&2 == 2}
	if !allZero(pid) {
		u.ParentSpanID = pad(pid, 16)
	}
	return u
}

// pad lowercases hex ID s and left-pads it with zeros to n digits.
func pad(s string, n int) string {
	s = strings.ToLower(s)
	if len(s) < n {
		s = strings.Repeat("0", n-len(s)) + s
	}
	return s
}

// b3 is a decoded B3 trace context, from the single b3 header
// ({TraceId}-{SpanId}-{SamplingState}-{ParentSpanId}) or the X-B3-* headers.
// Sampling is "1", "0", "d" (debug) or empty (deferred); a context may
// carry only a sampling decision and no IDs.
type b3 struct {
	Valid        bool   `json:"valid"`
	TraceID      string `json:"trace_id,omitempty"`
	SpanID       string `json:"span_id,omitempty"`
	ParentSpanID string `json:"parent_span_id,omitempty"`
	Sampling     string `json:"sampling,omitempty"`
	Sampled      *bool  `json:"sampled,omitempty"`
	Debug        bool   `json:"debug,omitempty"`
	invalid
}

// setSampling records B3 sampling state v ("1", "0", "d", or the legacy
// "true"/"false"); false when v is none of them.
func (b *b3) setSampling(v string) bool {
	switch v {
	case "1", "true":
		b.Sampling, b.Sampled = "1", boolPtr(true)
	case "0", "false":
		b.Sampling, b.Sampled = "0", boolPtr(false)
	case "d":
		b.Sampling, b.Sampled, b.Debug = "d", boolPtr(true), true
	default:
		return false
	}
	return true
}

// setIDs checks and sets a B3 trace ID (16 or 32 hex digits), span ID and
// optional parent span ID (16 hex digits); "" when they are fine, else why not.
func (b *b3) setIDs(tid, sid, pid string) string {
	switch {
	case !isHex(tid) || len(tid) != 16 && len(tid) != 32:
		return "trace ID is not 16 or 32 hex digits"
	case allZero(tid):
		return "trace ID is zero"
	case !isHex(sid) || len(sid) != 16:
		return "span ID is not 16 hex digits"
	case allZero(sid):
		return "span ID is zero"
	case pid != "" && (!isHex(pid) || len(pid) != 16):
		return "parent span ID is not 16 hex digits"
	}
	b.TraceID, b.SpanID = pad(tid, 32), strings.ToLower(sid)
	if pid != "" {
		b.ParentSpanID = strings.ToLower(pid)
	}
	return ""
}

// parseB3Single decodes the single b3 header.
func parseB3Single(raw []byte) b3 {
	fail := func(format string, a ...any) b3 { return b3{invalid: bad(raw, format, a...)} }
	if len(raw) > maxLegacy {
		return fail("too long (%d bytes)", len(raw))
	}
	var b b3
	f := strings.Split(string(raw), "-")
	if len(f) == 1 {
		if !b.setSampling(f[0]) {
			return fail("a lone field must be 0, 1 or d")
		}
		b.Valid = true
		return b
	}
	if len(f) > 4 {
		return fail("want traceid-spanid-sampled-parentspanid, got %d fields", len(f))
	}
	var pid string
	if len(f) >= 3 && !b.setSampling(f[2]) {
		return fail("sampling state %q is not 0, 1 or d", shownString(f[2], 16))
	}
	if len(f) == 4 {
		pid = f[3]
	}
	if why := b.setIDs(f[0], f[1], pid); why != "" {
		return fail("%s", why)
	}
	b.Valid = true
	return b
}

// b3Headers holds the X-B3-* header values of a message (nil when absent).
type b3Headers struct {
	traceID, spanID, parentSpanID, sampled, flags []byte
	dups                                          int
}

// present reports whether any X-B3-* header was found.
func (h *b3Headers) present() bool {
	return h.traceID != nil || h.spanID != nil || h.parentSpanID != nil || h.sampled != nil || h.flags != nil
}

// parseB3Multi decodes the X-B3-* headers.
func parseB3Multi(h *b3Headers) b3 {
	var b b3
	fail := func(name string, raw []byte, why string) b3 {
		return b3{invalid: bad(raw, "%s: %s", name, why)}
	}
	for _, v := range [][]byte{h.traceID, h.spanID, h.parentSpanID, h.sampled, h.flags} {
		if len(v) > maxLegacy {
			return fail("X-B3-*", v, "too long")
		}
	}
	if h.sampled != nil && !b.setSampling(string(h.sampled)) {
		return fail("X-B3-Sampled", h.sampled, "not 0, 1, true or false")
	}
	if h.flags != nil {
		if string(h.flags) != "1" {
			return fail("X-B3-Flags", h.flags, "not 1")
		}
		b.Sampling, b.Sampled, b.Debug = "d", boolPtr(true), true
	}
	if h.traceID != nil || h.spanID != nil || h.parentSpanID != nil {
		if h.traceID == nil || h.spanID == nil {
			return fail("X-B3-TraceId", h.traceID, "X-B3-TraceId and X-B3-SpanId are both required")
		}
		if why := b.setIDs(string(h.traceID), string(h.spanID), string(h.parentSpanID)); why != "" {
			return fail("X-B3-*", append(append(append([]byte{}, h.traceID...), '/'), h.spanID...), why)
		}
	}
	b.Valid = true
	return b
}
