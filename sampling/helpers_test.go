package sampling_test

import (
	"context"
	"math"
	"math/rand/v2"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/sampling"
)

func nan() float64 { return math.NaN() }

// traceIDs returns n trace IDs from a seeded generator, so that statistical
// bounds are checked on the same IDs on every run.
func traceIDs(n int, seed uint64) []trace.TraceID {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	ids := make([]trace.TraceID, n)
	for i := range ids {
		for j := 0; j < 16; j += 8 {
			v := rng.Uint64()
			for k := range 8 {
				ids[i][j+k] = byte(v >> (8 * k))
			}
		}
	}
	return ids
}

func kafkaParams(topic string, id trace.TraceID, parent context.Context) sdktrace.SamplingParameters {
	if parent == nil {
		parent = context.Background()
	}
	return sdktrace.SamplingParameters{
		ParentContext: parent,
		TraceID:       id,
		Name:          topic + " process",
		Kind:          trace.SpanKindConsumer,
		Attributes: []attribute.KeyValue{
			attribute.String("messaging.system", "kafka"),
			sampling.TopicKey.String(topic),
		},
	}
}

// withParent returns a context holding a remote parent span context.
func withParent(sampled bool, state string) context.Context {
	ts, err := trace.ParseTraceState(state)
	if err != nil {
		panic(err)
	}
	cfg := trace.SpanContextConfig{
		TraceID:    trace.TraceID{1},
		SpanID:     trace.SpanID{2},
		TraceState: ts,
		Remote:     true,
	}
	if sampled {
		cfg.TraceFlags = trace.FlagsSampled
	}
	return trace.ContextWithRemoteSpanContext(context.Background(), trace.NewSpanContext(cfg))
}

func mustCompile(rules []sampling.Rule, def float64) *sampling.RuleSet {
	rs, err := sampling.Compile(rules, def)
	if err != nil {
		panic(err)
	}
	return rs
}

// countSampled returns how many of ids s samples for topic as root spans.
func countSampled(s sdktrace.Sampler, topic string, ids []trace.TraceID) int {
	n := 0
	for _, id := range ids {
		if s.ShouldSample(kafkaParams(topic, id, nil)).Decision == sdktrace.RecordAndSample {
			n++
		}
	}
	return n
}

// recordingSampler records that it was asked and answers with decision.
type recordingSampler struct {
	calls    int
	decision sdktrace.SamplingDecision
}

func (r *recordingSampler) ShouldSample(sdktrace.SamplingParameters) sdktrace.SamplingResult {
	r.calls++
	return sdktrace.SamplingResult{Decision: r.decision}
}

func (*recordingSampler) Description() string { return "Recording" }
