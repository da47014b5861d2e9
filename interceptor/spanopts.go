package interceptor

import (
	"sync"
	"sync/atomic"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/internal/spanattr"
)

// startOpts caches, per topic, the span name and the start options of the
// common case: a message whose attributes are only the client's and the
// topic's (no explicit partition, no key or body size recorded, not a
// tombstone). Those messages start their span without building anything.
type startOpts struct {
	kind   trace.SpanStartOption
	names  *spanattr.NameCache
	common spanattr.Common
	opt    spanattr.Opt

	cache sync.Map // topic -> *topicOpts
	size  atomic.Int32
}

type topicOpts struct {
	name string
	opts []trace.SpanStartOption // kind + the topic's attributes
}

// maxCachedTopics bounds the cache (see spanattr.NameCache).
const maxCachedTopics = 4096

func newStartOpts(kind trace.SpanKind, names *spanattr.NameCache, common spanattr.Common, opt spanattr.Opt) *startOpts {
	return &startOpts{kind: trace.WithSpanKind(kind), names: names, common: common, opt: opt}
}

// plain reports whether msg's start attributes are only the topic's.
func (s *startOpts) plain(msg *kafka.Message) bool {
	return msg.TopicPartition.Partition < 0 && msg.Value != nil &&
		!(s.opt.RecordKey && msg.Key != nil) && !s.opt.RecordBodySize
}

// forMessage returns the span name and start options for a message being
// sent (no offset yet).
func (s *startOpts) forMessage(topic string, msg *kafka.Message) (string, []trace.SpanStartOption) {
	if s.plain(msg) {
		if v, ok := s.cache.Load(topic); ok {
			t := v.(*topicOpts)
			return t.name, t.opts
		}
		t := &topicOpts{name: s.names.Name(topic), opts: []trace.SpanStartOption{
			s.kind, trace.WithAttributes(s.common.AppendMessage(nil, msg, s.opt)...),
		}}
		if s.size.Load() < maxCachedTopics {
			if _, loaded := s.cache.LoadOrStore(topic, t); !loaded {
				s.size.Add(1)
			}
		}
		return t.name, t.opts
	}
	attrs := s.common.AppendMessage(make([]attribute.KeyValue, 0, s.common.Len()+4), msg, s.opt)
	return s.names.Name(topic), []trace.SpanStartOption{s.kind, trace.WithAttributes(attrs...)}
}

// forTopic returns the span name and the cached start options of topic
// (kind + client and topic attributes: those a sampler uses). Per-message
// attributes are added with perMessage once the span is known to record.
func (s *startOpts) forTopic(topic string) (string, []trace.SpanStartOption) {
	if v, ok := s.cache.Load(topic); ok {
		t := v.(*topicOpts)
		return t.name, t.opts
	}
	t := &topicOpts{name: s.names.Name(topic), opts: []trace.SpanStartOption{
		s.kind, trace.WithAttributes(s.common.AppendTopic(nil, topic)...),
	}}
	if s.size.Load() < maxCachedTopics {
		if _, loaded := s.cache.LoadOrStore(topic, t); !loaded {
			s.size.Add(1)
		}
	}
	return t.name, t.opts
}
