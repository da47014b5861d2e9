package main

import (
	"context"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// discard is an exporter that drops every batch: the benchmarks measure the
// client side of tracing, not a backend.
type discard struct{}

func (discard) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discard) Shutdown(context.Context) error                             { return nil }

// providers are the two TracerProviders every traced variant runs with:
// everything sampled through the SDK's BatchSpanProcessor, or nothing
// sampled.
type providers struct {
	sampled, unsampled *sdktrace.TracerProvider
}

func newProviders() providers {
	return providers{
		sampled: sdktrace.NewTracerProvider(
			sdktrace.WithSampler(sdktrace.AlwaysSample()),
			sdktrace.WithBatcher(discard{})),
		unsampled: sdktrace.NewTracerProvider(
			sdktrace.WithSampler(sdktrace.NeverSample()),
			sdktrace.WithBatcher(discard{})),
	}
}

func (p providers) pick(sampled bool) trace.TracerProvider {
	if sampled {
		return p.sampled
	}
	return p.unsampled
}

func (p providers) shutdown() {
	_ = p.sampled.Shutdown(context.Background())
	_ = p.unsampled.Shutdown(context.Background())
}
