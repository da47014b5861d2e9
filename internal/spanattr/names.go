package spanattr

import (
	"sync"
	"sync/atomic"

	"github.com/kafkatrace/kafkatrace/semconv"
)

// maxCachedNames bounds a NameCache so that a consumer subscribed by pattern
// to an unbounded set of topics cannot grow memory without limit; past it
// names are formatted on every call.
const maxCachedNames = 4096

// NameCache caches the span names of one operation per topic, so the hot path
// formats a name once per topic instead of once per message. It is safe for
// concurrent use. The zero value is not usable; build one with NewNameCache.
type NameCache struct {
	op     semconv.Operation
	format semconv.NameFormatter
	names  sync.Map // topic -> name
	size   atomic.Int32
}

// NewNameCache returns a cache for op. A nil format means semconv.SpanName.
func NewNameCache(op semconv.Operation, format semconv.NameFormatter) *NameCache {
	if format == nil {
		format = semconv.SpanName
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
