package sampling

import (
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// TopicKey is the span attribute the Sampler reads the topic from. It must
// be passed when the span starts.
const TopicKey = semconv.MessagingDestinationNameKey

// Sampler is an [sdktrace.Sampler] that applies a [RuleSet] to Kafka spans
// and a default sampler to all others. It is safe for concurrent use; the
// rule set can be replaced with [Sampler.Swap] at any time.
type Sampler struct {
	rules    atomic.Pointer[RuleSet]
	fallback sdktrace.Sampler
}

var _ sdktrace.Sampler = (*Sampler)(nil)

// New returns a Sampler applying rs. A nil rs samples every Kafka trace
// (default ratio 1, parent respected).
func New(rs *RuleSet, opts ...Option) *Sampler {
	c := newConfig(opts)
	s := &Sampler{fallback: c.fallback}
	s.rules.Store(rs.orEmpty())
	return s
}

// Swap atomically replaces the rule set; spans starting afterwards use rs.
// A nil rs is an empty rule set with default ratio 1.
func (s *Sampler) Swap(rs *RuleSet) { s.rules.Store(rs.orEmpty()) }

// Rules returns the rule set in use.
func (s *Sampler) Rules() *RuleSet { return s.rules.Load() }

// Untrusted reports whether the rule set in use marks topic untrusted; see
// [RuleSet.Untrusted]. It lets a Sampler serve as the interceptor's topic
// policy, so that one Swap updates both.
func (s *Sampler) Untrusted(topic string) bool { return s.rules.Load().Untrusted(topic) }

// ShouldSample implements [sdktrace.Sampler].
func (s *Sampler) ShouldSample(p sdktrace.SamplingParameters) sdktrace.SamplingResult {
	topic, ok := topicOf(p.Attributes)
	if !ok {
		return s.fallback.ShouldSample(p)
	}
	rs := s.rules.Load()
	r, policy := rs.def, Respect
	if c := rs.lookup(topic); c != nil {
		r, policy = c.ratio, c.Parent
	}

	psc := trace.SpanContextFromContext(p.ParentContext)
	var sample bool
	if policy == Respect && psc.IsValid() {
		sample = psc.IsSampled()
	} else {
		sample = r.sampled(p.TraceID)
	}
	res := sdktrace.SamplingResult{Decision: sdktrace.Drop, Tracestate: psc.TraceState()}
	if sample {
		res.Decision = sdktrace.RecordAndSample
	}
	return res
}

// Description implements [sdktrace.Sampler]. It lists the rules compactly,
// for example KafkaTopicSampler{rules=[payments=1 glob:firehose.*=0.001]
// default=1,other=ParentBased{...}}.
func (s *Sampler) Description() string {
	return "KafkaTopicSampler{rules=" + s.rules.Load().String() + ",other=" + s.fallback.Description() + "}"
}

// topicOf returns the string value of the messaging.destination.name
// attribute, and false when there is none.
func topicOf(attrs []attribute.KeyValue) (string, bool) {
	for _, kv := range attrs {
		if kv.Key == TopicKey && kv.Value.Type() == attribute.STRING {
			return kv.Value.AsString(), true
		}
	}
	return "", false
}
