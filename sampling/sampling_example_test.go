package sampling_test

import (
	"context"
	"fmt"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/sampling"
)

func ExampleCompile() {
	rs, err := sampling.Compile([]sampling.Rule{
		{Topic: "payments", Ratio: 1},
		{Topic: "firehose.*", Match: sampling.Glob, Ratio: 0.001},
		{Topic: "audit", Ratio: 0},
		{Topic: "^partner-", Match: sampling.Regex, Ratio: 0.1, Parent: sampling.Override, Untrusted: true},
	}, 0.5)
	if err != nil {
		fmt.Println(err)
		return
	}
	r, _ := rs.Match("firehose.clicks")
	fmt.Println(r.Topic, r.Ratio)
	fmt.Println(rs.Untrusted("partner-acme"), rs.Untrusted("payments"))

	_, err = sampling.Compile([]sampling.Rule{{Topic: "a", Ratio: 1}, {Topic: "(", Match: sampling.Regex}}, 1)
	fmt.Println(err)
	// Output:
	// firehose.* 0.001
	// true false
	// sampling: rule 1: topic: bad regex: error parsing regexp: missing closing ): `(`
}

func ExampleNew() {
	rs, err := sampling.Compile([]sampling.Rule{{Topic: "audit", Ratio: 0}}, 1)
	if err != nil {
		panic(err)
	}
	s := sampling.New(rs, sampling.WithDefaultSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(0.1))))
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(s))
	defer func() { _ = tp.Shutdown(context.Background()) }()

	// The topic must be passed at start: a sampler sees nothing set later.
	_, span := tp.Tracer("example").Start(context.Background(), "audit publish",
		trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithAttributes(sampling.TopicKey.String("audit")))
	defer span.End()
	fmt.Println(span.SpanContext().IsSampled())
	// Output: false
}

func ExampleSampler_Swap() {
	s := sampling.New(nil)
	fmt.Println(s.Rules())

	next, err := sampling.Compile([]sampling.Rule{{Topic: "orders.*", Match: sampling.Glob, Ratio: 0.25}}, 1)
	if err != nil {
		panic(err)
	}
	s.Swap(next) // safe while spans are being sampled
	fmt.Println(s.Rules())
	// Output:
	// [] default=1
	// [glob:orders.*=0.25] default=1
}
