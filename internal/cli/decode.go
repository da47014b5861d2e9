package cli

import (
	"strings"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// traceContext is the trace context found in a message's headers. TraceID
// is the trace the message belongs to, from the first valid of
// traceparent, uber-trace-id, b3 and the X-B3-* headers (TraceIDFrom names
// which); URL is its page in Jaeger when --jaeger is set.
type traceContext struct {
	TraceParent *traceParent `json:"traceparent,omitempty"`
	TraceState  *memberList  `json:"tracestate,omitempty"`
	Baggage     *memberList  `json:"baggage,omitempty"`
	UberTraceID *uberTraceID `json:"uber_trace_id,omitempty"`
	B3          *b3          `json:"b3,omitempty"`
	B3Multi     *b3          `json:"b3_multi,omitempty"`
	TraceID     string       `json:"trace_id,omitempty"`
	TraceIDFrom string       `json:"trace_id_from,omitempty"`
	URL         string       `json:"url,omitempty"`
}

// otherHeader is a header that is not trace context, escaped for display.
type otherHeader struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// maxOthers is the most other headers listed with --all-headers.
const maxOthers = 32

// decodeHeaders finds the trace context in hs in one pass, whatever their
// number and size: header names match case-insensitively, the first of
// duplicate headers is decoded and the rest counted. It returns the number
// of other headers and, when listOthers, the first maxOthers of them.
func decodeHeaders(hs []kafka.Header, listOthers bool) (tc traceContext, others int, list []otherHeader) {
	var tp, ts, bg, uber, single []byte
	var dups [5]int
	var multi b3Headers
	first := func(v *[]byte, dup *int, h kafka.Header) {
		if *v != nil {
			*dup++
			return
		}
		*v = h.Value
		if *v == nil {
			*v = []byte{}
		}
	}
	for _, h := range hs {
		switch k := h.Key; {
		case strings.EqualFold(k, "traceparent"):
			first(&tp, &dups[0], h)
		case strings.EqualFold(k, "tracestate"):
			first(&ts, &dups[1], h)
		case strings.EqualFold(k, "baggage"):
			first(&bg, &dups[2], h)
		case strings.EqualFold(k, "uber-trace-id"):
			first(&uber, &dups[3], h)
		case strings.EqualFold(k, "b3"):
			first(&single, &dups[4], h)
		case strings.EqualFold(k, "x-b3-traceid"):
			first(&multi.traceID, &multi.dups, h)
		case strings.EqualFold(k, "x-b3-spanid"):
			first(&multi.spanID, &multi.dups, h)
		case strings.EqualFold(k, "x-b3-parentspanid"):
			first(&multi.parentSpanID, &multi.dups, h)
		case strings.EqualFold(k, "x-b3-sampled"):
			first(&multi.sampled, &multi.dups, h)
		case strings.EqualFold(k, "x-b3-flags"):
			first(&multi.flags, &multi.dups, h)
		default:
			others++
			if listOthers && len(list) < maxOthers {
				list = append(list, otherHeader{Key: shownString(k, 64), Value: shown(h.Value, 64)})
			}
		}
	}
	if tp != nil {
		v := parseTraceParent(tp)
		v.Duplicates = dups[0]
		tc.TraceParent = &v
		tc.setTraceID(v.Valid, v.TraceID, "traceparent")
	}
	if ts != nil {
		tc.TraceState = parseTraceState(ts)
		tc.TraceState.Duplicates = dups[1]
	}
	if bg != nil {
		tc.Baggage = parseBaggage(bg)
		tc.Baggage.Duplicates = dups[2]
	}
	if uber != nil {
		v := parseUber(uber)
		v.Duplicates = dups[3]
		tc.UberTraceID = &v
		tc.setTraceID(v.Valid, v.TraceID, "uber-trace-id")
	}
	if single != nil {
		v := parseB3Single(single)
		v.Duplicates = dups[4]
		tc.B3 = &v
		tc.setTraceID(v.Valid, v.TraceID, "b3")
	}
	if multi.present() {
		v := parseB3Multi(&multi)
		v.Duplicates = multi.dups
		tc.B3Multi = &v
		tc.setTraceID(v.Valid, v.TraceID, "x-b3")
	}
	return tc, others, list
}

// setTraceID takes id from source as the message's trace unless one was
// found already.
func (tc *traceContext) setTraceID(valid bool, id, source string) {
	if valid && id != "" && tc.TraceID == "" {
		tc.TraceID, tc.TraceIDFrom = id, source
	}
}

// empty reports whether no trace context header was found.
func (tc *traceContext) empty() bool {
	return tc.TraceParent == nil && tc.TraceState == nil && tc.Baggage == nil &&
		tc.UberTraceID == nil && tc.B3 == nil && tc.B3Multi == nil
}
