package sampling_test

import (
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/kafkatrace/kafkatrace/sampling"
)

func BenchmarkShouldSample(b *testing.B) {
	rules := []sampling.Rule{
		{Topic: "payments", Ratio: 1},
		{Topic: "firehose.*", Match: sampling.Glob, Ratio: 0.001},
		{Topic: "audit", Ratio: 0},
		{Topic: "^partner-", Match: sampling.Regex, Ratio: 0.1, Parent: sampling.Override, Untrusted: true},
	}
	s := sampling.New(mustCompile(rules, 0.5))
	id := traceIDs(1, 1)[0]
	for _, topic := range []string{"payments", "firehose.clicks", "partner-acme", "unmatched"} {
		p := kafkaParams(topic, id, nil)
		b.Run(topic, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s.ShouldSample(p)
			}
		})
	}
	b.Run("sdk ParentBased(TraceIDRatioBased)", func(b *testing.B) {
		sdk := sdktrace.ParentBased(sdktrace.TraceIDRatioBased(0.5))
		p := kafkaParams("payments", id, nil)
		b.ReportAllocs()
		for b.Loop() {
			sdk.ShouldSample(p)
		}
	})
}
