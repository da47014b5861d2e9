package cli

import (
	"fmt"
	"strconv"
)

// traceParent is a decoded W3C traceparent header
// (version-traceid-parentid-flags).
type traceParent struct {
	Valid        bool   `json:"valid"`
	Version      string `json:"version,omitempty"`
	TraceID      string `json:"trace_id,omitempty"`
	ParentSpanID string `json:"parent_span_id,omitempty"`
	Flags        string `json:"flags,omitempty"`
	Sampled      *bool  `json:"sampled,omitempty"`
	invalid
}

// invalid describes a header that could not be decoded: why, and its
// value escaped and truncated (see shown). Duplicates counts the headers
// of the same name after the one decoded.
type invalid struct {
	Error      string `json:"error,omitempty"`
	Raw        string `json:"raw,omitempty"`
	Size       int    `json:"size,omitempty"`
	Duplicates int    `json:"duplicates,omitempty"`
}

// bad returns an invalid description of raw with reason.
func bad(raw []byte, format string, a ...any) invalid {
	return invalid{Error: fmt.Sprintf(format, a...), Raw: shown(raw, maxShown), Size: len(raw)}
}

// maxTraceParent is the longest traceparent decoded: version 00 is 55 bytes;
// later versions may append fields, but not kilobytes of them.
const maxTraceParent = 512

// parseTraceParent decodes a traceparent value per W3C Trace Context level 1
// (lowercase hex, no all-zero IDs, version ff invalid, version 00 exactly 55
// bytes, later versions 55 bytes followed by "-" and more).
func parseTraceParent(raw []byte) traceParent {
	fail := func(format string, a ...any) traceParent {
		return traceParent{invalid: bad(raw, format, a...)}
	}
	n := len(raw)
	switch {
	case n > maxTraceParent:
		return fail("too long (%d bytes)", n)
	case n < 55:
		return fail("too short (%d bytes, want 55)", n)
	}
	s := string(raw)
	ver, tid, pid, flags := s[0:2], s[3:35], s[36:52], s[53:55]
	if s[2] != '-' || s[35] != '-' || s[52] != '-' {
		return fail("want version-traceid-parentid-flags separated by '-'")
	}
	if !isLowerHex(ver) {
		return fail("version %q is not 2 lowercase hex digits", ver)
	}
	if ver == "ff" {
		return fail("version ff is forbidden")
	}
	if ver == "00" && n != 55 {
		return fail("version 00 must be 55 bytes, got %d", n)
	}
	if n > 55 && s[55] != '-' {
		return fail("version %s: data after the flags must start with '-'", ver)
	}
	if !isLowerHex(tid) {
		return fail("trace-id is not 32 lowercase hex digits")
	}
	if allZero(tid) {
		return fail("trace-id is all zeros")
	}
	if !isLowerHex(pid) {
		return fail("parent-id is not 16 lowercase hex digits")
	}
	if allZero(pid) {
		return fail("parent-id is all zeros")
	}
	if !isLowerHex(flags) {
		return fail("flags %q are not 2 lowercase hex digits", flags)
	}
	f, _ := strconv.ParseUint(flags, 16, 8)
	return traceParent{Valid: true, Version: ver, TraceID: tid, ParentSpanID: pid, Flags: flags, Sampled: boolPtr(f&1 == 1)}
}
