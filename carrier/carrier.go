package carrier

import (
	"context"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel/propagation"
)

// MessageCarrier is a [propagation.TextMapCarrier] over the headers of one
// [kafka.Message]. The zero value is not usable; build one with [New].
//
// A MessageCarrier is not safe for concurrent use; the message it wraps
// should not be read or written by anyone else while it is in use.
type MessageCarrier struct {
	msg   *kafka.Message
	owned bool // msg.Headers is our own copy and may be written in place
}

var _ propagation.TextMapCarrier = (*MessageCarrier)(nil)

// New returns a carrier over msg's headers. Set replaces msg.Headers with a
// private copy on its first call, so the slice msg had before is never
// modified.
func New(msg *kafka.Message) *MessageCarrier {
	return &MessageCarrier{msg: msg}
}

// Reset points c at msg, as New does, so that a MessageCarrier can live
// inside a larger struct without an allocation of its own.
func (c *MessageCarrier) Reset(msg *kafka.Message) {
	*c = MessageCarrier{msg: msg}
}

// Get returns the value of the last header whose key is exactly key, or ""
// when there is none (or the message is nil). A tracestate or baggage value
// over its W3C limits is dropped: "" (see limits.go).
func (c *MessageCarrier) Get(key string) string {
	if c == nil || c.msg == nil {
		return ""
	}
	return lookup(c.msg.Headers, key)
}

// lookup is Get over a header slice: the last header named key, else the
// last whose name matches key case-insensitively. Propagators ask for
// lower-case names (HTTP header names are case-insensitive), while clients
// such as Brave write B3's multi-header form as X-B3-TraceId.
func lookup(h []kafka.Header, key string) string {
	for i := len(h) - 1; i >= 0; i-- {
		if h[i].Key == key {
			return limit(key, h[i].Value)
		}
	}
	for i := len(h) - 1; i >= 0; i-- {
		if equalFoldASCII(h[i].Key, key) {
			return limit(key, h[i].Value)
		}
	}
	return ""
}

// equalFoldASCII reports whether a and b are equal ignoring the case of
// ASCII letters only: header names are ASCII, and a Unicode fold would match
// distinct invalid UTF-8 names (both decode to U+FFFD).
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// Set stores value under key, replacing every existing header with that key
// by one header at the position of the first. The first Set copies the header
// slice (copy-on-write) so that the caller's backing array is never written.
// Set on a nil message does nothing.
func (c *MessageCarrier) Set(key, value string) {
	if c == nil || c.msg == nil {
		return
	}
	c.own()
	h := c.msg.Headers
	first := -1
	n := 0
	for i := range h {
		if h[i].Key != key {
			h[n] = h[i]
			n++
			continue
		}
		if first < 0 {
			first = n
			h[n] = kafka.Header{Key: key, Value: []byte(value)}
			n++
		}
	}
	clear(h[n:]) // drop references held by removed duplicates
	h = h[:n]
	if first < 0 {
		h = append(h, kafka.Header{Key: key, Value: []byte(value)})
	}
	c.msg.Headers = h
}

// Keys returns the distinct header keys in the order of their first
// occurrence.
func (c *MessageCarrier) Keys() []string {
	if c == nil || c.msg == nil || len(c.msg.Headers) == 0 {
		return nil
	}
	keys := make([]string, 0, len(c.msg.Headers))
	if len(c.msg.Headers) <= smallHeaders {
		for _, h := range c.msg.Headers {
			if !contains(keys, h.Key) {
				keys = append(keys, h.Key)
			}
		}
		return keys
	}
	seen := make(map[string]struct{}, len(c.msg.Headers))
	for _, h := range c.msg.Headers {
		if _, dup := seen[h.Key]; !dup {
			seen[h.Key] = struct{}{}
			keys = append(keys, h.Key)
		}
	}
	return keys
}

// smallHeaders is the header count up to which Keys de-duplicates with a
// linear scan instead of a map; hostile messages with thousands of headers
// stay linear-time.
const smallHeaders = 16

// own makes msg.Headers a private copy with room for a few trace headers.
func (c *MessageCarrier) own() {
	if c.owned {
		return
	}
	c.owned = true
	old := c.msg.Headers
	h := make([]kafka.Header, len(old), len(old)+1) // traceparent; tracestate and baggage only when set
	copy(h, old)
	c.msg.Headers = h
}

func contains(keys []string, k string) bool {
	for _, s := range keys {
		if s == k {
			return true
		}
	}
	return false
}

// Inject writes the trace context in ctx into msg's headers with propagator,
// without modifying the header slice msg had before (see [MessageCarrier.Set]).
// A nil msg or propagator does nothing.
func Inject(ctx context.Context, msg *kafka.Message, propagator propagation.TextMapPropagator) {
	if msg == nil || propagator == nil {
		return
	}
	propagator.Inject(ctx, New(msg))
}

// Extract returns ctx extended with the trace context propagator finds in
// msg's headers. Malformed headers are ignored by the W3C propagators, so the
// result is then ctx unchanged. A nil msg or propagator returns ctx.
func Extract(ctx context.Context, msg *kafka.Message, propagator propagation.TextMapPropagator) context.Context {
	if msg == nil || propagator == nil || len(msg.Headers) == 0 {
		return ctx
	}
	return propagator.Extract(ctx, reader{msg})
}

// reader is a read-only carrier for Extract. Being a single pointer, it
// converts to the TextMapCarrier interface without an allocation.
type reader struct{ msg *kafka.Message }

func (r reader) Get(key string) string { return lookup(r.msg.Headers, key) }
func (r reader) Set(string, string)    {}
func (r reader) Keys() []string        { return New(r.msg).Keys() }
