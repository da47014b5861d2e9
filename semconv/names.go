package semconv

import (
	"sync"
	"sync/atomic"
)

// Operation is a messaging operation name as used in span names and in
// messaging.operation.name.
type Operation string

// The operations kafkatrace records.
const (
	Send    Operation = "send"    // a Produce, from enqueue to delivery report
	Receive Operation = "receive" // a message returned by drop-in Poll/ReadMessage/Events
	Process Operation = "process" // a handler processing one message
)

// SpanName returns "{op} {topic}", or op alone when topic is empty.
func SpanName(op Operation, topic string) string {
	if topic == "" {
		return string(op)
	}
	return string(op) + " " + topic
}

// NameFormatter builds a span name from an operation and a topic. It must be
// a pure function of its arguments: results are cached per topic.
type NameFormatter func(op Operation, topic string) string

// maxCachedNames bounds a NameCache so that a consumer subscribed by pattern
// to an unbounded set of topics cannot grow memory without limit; past it
// names are formatted on every call.
const maxCachedNames = 4096

// NameCache caches the span names of one operation per topic, so the hot path
// formats a name once per topic instead of once per message. It is safe for
// concurrent use. The zero value is not usable; build one with NewNameCache.
type NameCache struct {
	op     Operation
	format NameFormatter
	names  sync.Map // topic -> name
	size   atomic.Int32
}

// NewNameCache returns a cache for op. A nil format means SpanName.
func NewNameCache(op Operation, format NameFormatter) *NameCache {
	if format == nil {
		format = SpanName
	}
	return &NameCache{op: op, format: format}
}

// Name returns the span name for topic.
func (c *NameCache) Name(topic string) string {
	if v, ok := c.names.Load(topic); ok {
		return v.(string)
	}
	name := c.format(c.op, topic)
	if c.size.Load() < maxCachedNames {
		if _, loaded := c.names.LoadOrStore(topic, name); !loaded {
			c.size.Add(1)
		}
	}
	return name
}
