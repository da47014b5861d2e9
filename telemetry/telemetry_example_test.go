package telemetry_test

import (
	"context"
	"fmt"
	"log"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/sampling"
	"github.com/kafkatrace/kafkatrace/telemetry"
)

func ExampleStart() {
	ctx := context.Background()

	// A service normally passes telemetry.WithConfigFile("/etc/orders/kafkatrace.yaml")
	// or sets KAFKATRACE_CONFIG; the Config below is the same thing in code.
	cfg := telemetry.DefaultConfig()
	cfg.Service.Name = "orders"
	cfg.Exporter.Type = telemetry.ExporterNone
	cfg.Sampling.Rules = []telemetry.Rule{
		{Topic: "audit", Ratio: 0},
		{Topic: "^partner-", Match: "regex", Ratio: 0.1, Parent: "override", Untrusted: true},
	}

	// Share the sampler with the interceptor (interceptor.WithTopicPolicy(s))
	// so that both follow reloads.
	s := sampling.New(nil)
	shutdown, err := telemetry.Start(ctx, telemetry.WithConfig(cfg), telemetry.WithSampler(s))
	if err != nil {
		log.Fatal(err)
	}
	defer func() {
		if err := shutdown(ctx); err != nil {
			log.Print(err)
		}
	}()

	_, span := otel.Tracer("orders").Start(ctx, "audit publish",
		trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithAttributes(sampling.TopicKey.String("audit")))
	span.End()
	fmt.Println(span.SpanContext().IsSampled(), s.Untrusted("partner-acme"))
	fmt.Println(s.Rules())
	// Output:
	// false true
	// [audit=0 regex:^partner-=0.1/override/untrusted] default=1
}

func ExampleConfig_Validate() {
	cfg := telemetry.DefaultConfig()
	cfg.Exporter.Type = "zipkin"
	cfg.Sampling.Rules = []telemetry.Rule{{Topic: "payments", Ratio: 1.5}}
	fmt.Println(cfg.Validate())
	// Output:
	// exporter.type: unknown exporter "zipkin" (want otlp, otlp-http, jaeger, stdout or none)
	// sampling.rules[0].ratio: ratio must be within [0, 1], got 1.5
}

func ExampleProvider_Stats() {
	ctx := context.Background()
	cfg := telemetry.DefaultConfig()
	cfg.Exporter.Type = telemetry.ExporterNone

	// New, then install the provider yourself, to keep it at hand. (After
	// Start, otel.GetTracerProvider().(*telemetry.Provider) is the same.)
	p, err := telemetry.New(ctx, telemetry.WithConfig(cfg))
	if err != nil {
		log.Fatal(err)
	}
	otel.SetTracerProvider(p)
	otel.SetTextMapPropagator(p.Propagator())
	defer func() { _ = p.Shutdown(ctx) }()

	// How many sampled spans never reached the backend.
	s := p.Stats()
	fmt.Println(s.Dropped(), s.QueueFull, s.ExportFailed)
	// Output:
	// 0 0 0
}

func ExampleProvider_MeterProvider() {
	ctx := context.Background()
	cfg := telemetry.DefaultConfig()
	cfg.Service.Name = "orders"
	cfg.Metrics.Exporter = telemetry.ExporterPrometheus // http://127.0.0.1:9464/metrics

	p, err := telemetry.New(ctx, telemetry.WithConfig(cfg))
	if err != nil {
		log.Fatal(err) // such as metrics.prometheus_address: ... address already in use
	}
	defer func() { _ = p.Shutdown(ctx) }() // flushes spans and metrics, closes the endpoint

	// Give both providers to the interceptor:
	//	interceptor.NewConsumer(conf, interceptor.WithTracerProvider(p),
	//		interceptor.WithMeterProvider(p.MeterProvider()))
	placed, err := p.MeterProvider().Meter("orders").Int64Counter("orders.placed")
	if err != nil {
		log.Fatal(err)
	}
	placed.Add(ctx, 1)
}
