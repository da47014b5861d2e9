package carrier

import (
	"slices"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// Delete removes every header whose key is one of keys. Like Set it is
// copy-on-write: the header slice the message had before is never written,
// and nothing is copied when no header matches.
//
// Deleting a propagator's Fields before injecting makes the headers carry
// exactly the injected context: no tracestate or baggage of another trace,
// and none that the propagator refused to read (malformed, or over the W3C
// limits), travels on next to the new traceparent.
func (c *MessageCarrier) Delete(keys ...string) {
	if c == nil || c.msg == nil || !slices.ContainsFunc(c.msg.Headers, func(h kafka.Header) bool { return slices.Contains(keys, h.Key) }) {
		return
	}
	c.own()
	h := c.msg.Headers
	n := 0
	for i := range h {
		if !slices.Contains(keys, h[i].Key) {
			h[n] = h[i]
			n++
		}
	}
	clear(h[n:]) // drop references held by removed headers
	c.msg.Headers = h[:n]
}
