package kmetrics

import (
	"slices"
	"strconv"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	sc "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/kafkatrace/kafkatrace/internal/spanattr"
	"github.com/kafkatrace/kafkatrace/semconv"
)

// key names one attribute set. partition < 0 leaves the partition out; an
// empty op leaves the operation out (gauges that belong to no operation).
type key struct {
	op        semconv.Operation
	topic     string
	partition int32
	errType   string
}

// setRef is the attribute sets of one key: the full one for the messaging
// instruments, and the one of the time-in-queue histogram (topic and
// consumer group only, as users chart it).
type setRef struct {
	attribute.Set
	queue attribute.Set
	// The measurement options, built once: passing an attribute set as an
	// option boxes it, which would allocate on every measurement.
	add      []metric.AddOption
	rec      []metric.RecordOption
	queueRec []metric.RecordOption
}

// maxSets bounds the cache: past it sets are built on every call, so a
// consumer subscribed by pattern to ever-new topics cannot grow memory.
const maxSets = 16384

// setCache builds each key's attribute sets once. Lookups take a read lock
// and allocate nothing.
type setCache struct {
	base   []attribute.KeyValue // system, server address, consumer group
	group  []attribute.KeyValue // consumer group, when there is one
	client attribute.Set        // base as a set: client-wide gauges
	mu     sync.RWMutex
	sets   map[key]setRef
}

func newSetCache(info spanattr.ClientInfo) *setCache {
	c := &setCache{base: []attribute.KeyValue{sc.MessagingSystemKafka}, sets: map[key]setRef{}}
	if info.ServerAddress != "" {
		c.base = append(c.base, sc.ServerAddress(info.ServerAddress))
	}
	if info.ConsumerGroup != "" {
		g := sc.MessagingConsumerGroupName(info.ConsumerGroup)
		c.base = append(c.base, g)
		c.group = []attribute.KeyValue{g}
	}
	c.client = attribute.NewSet(slices.Clone(c.base)...) // NewSet sorts its argument in place
	return c
}

func (c *setCache) get(k key) setRef {
	c.mu.RLock()
	s, ok := c.sets[k]
	c.mu.RUnlock()
	if ok {
		return s
	}
	s = c.build(k)
	c.mu.Lock()
	if len(c.sets) < maxSets {
		c.sets[k] = s
	}
	c.mu.Unlock()
	return s
}

func (c *setCache) build(k key) setRef {
	kv := make([]attribute.KeyValue, 0, len(c.base)+5)
	kv = append(kv, c.base...)
	if k.op != "" {
		kv = append(kv, sc.MessagingOperationName(string(k.op)), operationType(k.op))
	}
	if k.topic != "" {
		kv = append(kv, sc.MessagingDestinationName(k.topic))
	}
	if k.partition >= 0 {
		kv = append(kv, sc.MessagingDestinationPartitionID(strconv.Itoa(int(k.partition))))
	}
	if k.errType != "" {
		kv = append(kv, semconv.ErrorTypeKey.String(k.errType))
	}
	q := append(append(make([]attribute.KeyValue, 0, 3), sc.MessagingSystemKafka), c.group...)
	if k.topic != "" {
		q = append(q, sc.MessagingDestinationName(k.topic))
	}
	set, queue := attribute.NewSet(kv...), attribute.NewSet(q...)
	return setRef{Set: set, queue: queue,
		add:      []metric.AddOption{metric.WithAttributeSet(set)},
		rec:      []metric.RecordOption{metric.WithAttributeSet(set)},
		queueRec: []metric.RecordOption{metric.WithAttributeSet(queue)},
	}
}

func operationType(op semconv.Operation) attribute.KeyValue {
	switch op {
	case semconv.Send:
		return sc.MessagingOperationTypeSend
	case semconv.Receive:
		return sc.MessagingOperationTypeReceive
	default:
		return sc.MessagingOperationTypeProcess
	}
}
