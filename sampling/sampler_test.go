package sampling_test

import (
	"context"
	"math"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/sampling"
)

// The interceptor hands the Sampler to WithTopicPolicy through this method set.
var _ interface{ Untrusted(topic string) bool } = (*sampling.Sampler)(nil)
var _ interface{ Untrusted(topic string) bool } = (*sampling.RuleSet)(nil)

func TestRatioZeroAndOneAreExact(t *testing.T) {
	s := sampling.New(mustCompile([]sampling.Rule{
		{Topic: "all", Ratio: 1},
		{Topic: "none", Ratio: 0},
	}, 0.5))
	ids := traceIDs(10_000, 1)
	// The extremes of the 63-bit space the ratio is applied to.
	ids = append(ids,
		trace.TraceID{},
		trace.TraceID{15: 1},
		trace.TraceID{0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		trace.TraceID{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe},
	)
	assert.Equal(t, len(ids), countSampled(s, "all", ids))
	assert.Equal(t, 0, countSampled(s, "none", ids))
}

func TestRatioWithinStatisticalBounds(t *testing.T) {
	const n, p = 10_000, 0.25
	s := sampling.New(mustCompile([]sampling.Rule{{Topic: "quarter", Ratio: p}}, 1))
	got := countSampled(s, "quarter", traceIDs(n, 42))
	// Five standard deviations either side of n*p: about 1 in 3.5 million
	// seeds would fail a correct sampler.
	sd := math.Sqrt(n * p * (1 - p))
	assert.InDelta(t, n*p, float64(got), 5*sd, "sampled %d of %d", got, n)
}

func TestDefaultRatioForUnmatchedTopics(t *testing.T) {
	ids := traceIDs(10_000, 7)
	none := sampling.New(mustCompile([]sampling.Rule{{Topic: "orders", Ratio: 1}}, 0))
	assert.Equal(t, 0, countSampled(none, "other", ids))
	assert.Equal(t, len(ids), countSampled(none, "orders", ids))

	half := sampling.New(mustCompile(nil, 0.5))
	assert.InDelta(t, 5000, countSampled(half, "other", ids), 5*50)
}

// Services using any OpenTelemetry SDK must agree on a trace, so the decision
// has to be the SDK's TraceIDRatioBased decision for every ratio and ID.
func TestAgreesWithTraceIDRatioBased(t *testing.T) {
	ids := traceIDs(2_000, 3)
	for _, ratio := range []float64{0, 1e-9, 0.001, 0.1, 0.25, 1.0 / 3, 0.5, 0.999, 1} {
		s := sampling.New(mustCompile([]sampling.Rule{{Topic: "t", Ratio: ratio}}, 1))
		want := sdktrace.TraceIDRatioBased(ratio)
		for _, id := range ids {
			p := kafkaParams("t", id, nil)
			require.Equal(t, want.ShouldSample(p).Decision, s.ShouldSample(p).Decision, "ratio %v id %s", ratio, id)
		}
	}
}

func TestParentPolicy(t *testing.T) {
	s := sampling.New(mustCompile([]sampling.Rule{
		{Topic: "respect-none", Ratio: 0},
		{Topic: "respect-all", Ratio: 1},
		{Topic: "override-none", Ratio: 0, Parent: sampling.Override},
		{Topic: "override-all", Ratio: 1, Parent: sampling.Override},
	}, 1))
	id := traceIDs(1, 9)[0]
	tests := []struct {
		topic  string
		parent context.Context
		want   sdktrace.SamplingDecision
	}{
		{"respect-none", withParent(true, ""), sdktrace.RecordAndSample},
		{"respect-all", withParent(false, ""), sdktrace.Drop},
		{"respect-none", nil, sdktrace.Drop},
		{"respect-all", nil, sdktrace.RecordAndSample},
		{"override-none", withParent(true, ""), sdktrace.Drop},
		{"override-all", withParent(false, ""), sdktrace.RecordAndSample},
		{"override-none", nil, sdktrace.Drop},
		{"override-all", nil, sdktrace.RecordAndSample},
		// Unmatched topics respect the parent.
		{"unmatched", withParent(false, ""), sdktrace.Drop},
	}
	for _, tt := range tests {
		got := s.ShouldSample(kafkaParams(tt.topic, id, tt.parent)).Decision
		assert.Equal(t, tt.want, got, "topic %s, parent %v", tt.topic, trace.SpanContextFromContext(tt.parent).TraceFlags())
	}
}

func TestKeepsParentTraceState(t *testing.T) {
	s := sampling.New(mustCompile([]sampling.Rule{{Topic: "t", Ratio: 1, Parent: sampling.Override}}, 1))
	res := s.ShouldSample(kafkaParams("t", traceIDs(1, 1)[0], withParent(false, "vendor=abc,other=1")))
	assert.Equal(t, sdktrace.RecordAndSample, res.Decision)
	assert.Equal(t, "vendor=abc,other=1", res.Tracestate.String())
}

func TestNonKafkaSpansUseDefaultSampler(t *testing.T) {
	rec := &recordingSampler{decision: sdktrace.RecordOnly}
	s := sampling.New(mustCompile(nil, 0), sampling.WithDefaultSampler(rec))
	p := sdktrace.SamplingParameters{
		ParentContext: context.Background(),
		TraceID:       traceIDs(1, 2)[0],
		Name:          "GET /",
		Attributes:    []attribute.KeyValue{attribute.String("http.request.method", "GET")},
	}
	assert.Equal(t, sdktrace.RecordOnly, s.ShouldSample(p).Decision)
	assert.Equal(t, 1, rec.calls)

	// A non-string destination name is not a topic either.
	p.Attributes = []attribute.KeyValue{sampling.TopicKey.Int(3)}
	assert.Equal(t, sdktrace.RecordOnly, s.ShouldSample(p).Decision)
	assert.Equal(t, 2, rec.calls)

	// Kafka spans never reach it.
	assert.Equal(t, sdktrace.Drop, s.ShouldSample(kafkaParams("t", p.TraceID, nil)).Decision)
	assert.Equal(t, 2, rec.calls)
}

func TestDefaultSamplerIsParentBasedAlwaysOn(t *testing.T) {
	s := sampling.New(mustCompile(nil, 0), sampling.WithDefaultSampler(nil))
	p := sdktrace.SamplingParameters{ParentContext: context.Background(), TraceID: traceIDs(1, 5)[0], Name: "GET /"}
	assert.Equal(t, sdktrace.RecordAndSample, s.ShouldSample(p).Decision)
	p.ParentContext = withParent(false, "")
	assert.Equal(t, sdktrace.Drop, s.ShouldSample(p).Decision)
	assert.Contains(t, s.Description(), "other=ParentBased{root:AlwaysOnSampler")
}

// The sampler sees only attributes passed at span start; this is the contract
// the interceptor must honour.
func TestThroughTracerProvider(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	s := sampling.New(mustCompile([]sampling.Rule{{Topic: "audit", Ratio: 0}}, 1))
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(s), sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { require.NoError(t, tp.Shutdown(context.Background())) })
	tr := tp.Tracer("test")

	_, dropped := tr.Start(context.Background(), "audit publish", trace.WithAttributes(sampling.TopicKey.String("audit")))
	dropped.End()
	_, kept := tr.Start(context.Background(), "orders publish", trace.WithAttributes(sampling.TopicKey.String("orders")))
	kept.End()
	_, late := tr.Start(context.Background(), "audit publish")
	late.SetAttributes(sampling.TopicKey.String("audit")) // too late: default sampler decided
	late.End()

	assert.False(t, dropped.SpanContext().IsSampled())
	assert.True(t, kept.SpanContext().IsSampled())
	assert.True(t, late.SpanContext().IsSampled())
	assert.Len(t, rec.Ended(), 2)
}

func TestSwap(t *testing.T) {
	s := sampling.New(mustCompile([]sampling.Rule{{Topic: "t", Ratio: 0}}, 1))
	ids := traceIDs(100, 11)
	assert.Equal(t, 0, countSampled(s, "t", ids))
	assert.False(t, s.Untrusted("t"))

	next := mustCompile([]sampling.Rule{{Topic: "t", Ratio: 1, Untrusted: true}}, 1)
	s.Swap(next)
	assert.Same(t, next, s.Rules())
	assert.Equal(t, len(ids), countSampled(s, "t", ids))
	assert.True(t, s.Untrusted("t"))

	s.Swap(nil)
	assert.NotNil(t, s.Rules())
	assert.Empty(t, s.Rules().Rules())
	assert.Equal(t, len(ids), countSampled(s, "t", ids), "nil samples every Kafka trace")
}

func TestNilRuleSet(t *testing.T) {
	s := sampling.New(nil)
	assert.Equal(t, 100, countSampled(s, "t", traceIDs(100, 4)))
	assert.False(t, s.Untrusted("t"))
}

// Run with -race: ShouldSample, Untrusted and Description read the rule set
// while Swap replaces it.
func TestSwapUnderConcurrentShouldSample(t *testing.T) {
	zero := mustCompile([]sampling.Rule{{Topic: "t", Ratio: 0, Untrusted: true}}, 0)
	one := mustCompile([]sampling.Rule{{Topic: "t", Ratio: 1}}, 1)
	s := sampling.New(zero)
	ids := traceIDs(64, 13)

	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 4 {
		readers.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				res := s.ShouldSample(kafkaParams("t", ids[i%len(ids)], nil))
				if res.Decision != sdktrace.Drop && res.Decision != sdktrace.RecordAndSample {
					t.Errorf("unexpected decision %v", res.Decision)
				}
				_ = s.Untrusted("t")
				_ = s.Description()
				_ = s.Rules().String()
			}
		})
	}
	for i := range 2_000 {
		if i%2 == 0 {
			s.Swap(one)
		} else {
			s.Swap(zero)
		}
	}
	close(stop)
	readers.Wait()

	s.Swap(one)
	assert.Equal(t, len(ids), countSampled(s, "t", ids))
}

func TestDescription(t *testing.T) {
	s := sampling.New(mustCompile([]sampling.Rule{
		{Topic: "payments", Ratio: 1},
		{Topic: "firehose.*", Match: sampling.Glob, Ratio: 0.001},
		{Topic: "^partner-", Match: sampling.Regex, Ratio: 0.1, Parent: sampling.Override, Untrusted: true},
	}, 0.5), sampling.WithDefaultSampler(sdktrace.AlwaysSample()))
	assert.Equal(t,
		"KafkaTopicSampler{rules=[payments=1 glob:firehose.*=0.001 regex:^partner-=0.1/override/untrusted] default=0.5,other=AlwaysOnSampler}",
		s.Description())
	s.Swap(mustCompile([]sampling.Rule{{Topic: "audit", Ratio: 0}}, 1))
	assert.Equal(t, "KafkaTopicSampler{rules=[audit=0] default=1,other=AlwaysOnSampler}", s.Description())
}
