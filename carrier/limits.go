package carrier

import (
	"fmt"
	"sync"

	"go.opentelemetry.io/otel"
)

// Headers come from other teams and sometimes from outside, so Get enforces
// the W3C limits on the two list headers before any propagator parses them:
// an oversize value is dropped whole (Get returns ""), reported once per
// process and kind through otel.Handle, and therefore never reaches a context
// or the headers of a message produced with it.
//
// OpenTelemetry Go's own propagators drop a tracestate of more than 32 members
// and a baggage string of more than 8192 bytes, but keep the first 64 members
// of a longer baggage. Dropping here, before the string is even copied, makes
// every limit all-or-nothing and costs no allocation for oversize input.
const (
	// maxTraceStateMembers is the W3C Trace Context limit on tracestate
	// list-members.
	maxTraceStateMembers = 32
	// maxTraceStateBytes is the size of 32 members of the longest valid
	// size (a 256-byte key, "=" and a 256-byte value) and 31 commas.
	// Anything longer is dropped without counting its members.
	maxTraceStateBytes = maxTraceStateMembers*(256+1+256) + maxTraceStateMembers - 1
	// maxBaggageMembers and maxBaggageBytes are the W3C Baggage limits.
	maxBaggageMembers = 64
	maxBaggageBytes   = 8192
)

// limit is what Get returns for value v of the header key: v as a string, or
// "" when key is tracestate or baggage and v is over its W3C limits.
func limit(key string, v []byte) string {
	switch key {
	case "tracestate":
		if len(v) > maxTraceStateBytes || overMembers(v, maxTraceStateMembers) {
			oversize(&tracestateOnce, key, len(v), maxTraceStateBytes, maxTraceStateMembers)
			return ""
		}
	case "baggage":
		if len(v) > maxBaggageBytes || overMembers(v, maxBaggageMembers) {
			oversize(&baggageOnce, key, len(v), maxBaggageBytes, maxBaggageMembers)
			return ""
		}
	}
	return string(v)
}

// overMembers reports whether the comma-separated list v has more than most
// list-members. Empty and whitespace-only members are not counted, as W3C
// allows them in tracestate and OpenTelemetry skips them in both headers.
func overMembers(v []byte, most int) bool {
	n := 0
	blank := true
	for _, c := range v {
		switch c {
		case ',':
			if !blank {
				if n++; n > most {
					return true
				}
			}
			blank = true
		case ' ', '\t':
		default:
			blank = false
		}
	}
	if !blank {
		n++
	}
	return n > most
}

var (
	tracestateOnce sync.Once
	baggageOnce    sync.Once
)

// oversize reports a dropped header once per process and key: the input may
// be attacker-controlled, and one line says all there is to say.
func oversize(once *sync.Once, key string, size, maxBytes, maxMembers int) {
	once.Do(func() {
		otel.Handle(fmt.Errorf("kafkatrace: dropped a %s header of %d bytes: over the W3C limit of %d bytes or %d list-members "+
			"(reported once per process)", key, size, maxBytes, maxMembers))
	})
}
