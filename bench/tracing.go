package main

import (
	"context"

	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
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
	// meters records metrics into the SDK's aggregations; its manual
	// reader never exports, so the cost measured is the client's.
	meters *sdkmetric.MeterProvider
}

func newProviders() providers {
	return providers{
		meters: sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader())),
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

// metered is the MeterProvider of the "+ metrics" variants.
func (p providers) metered() metric.MeterProvider { return p.meters }

func (p providers) shutdown() {
	_ = p.meters.Shutdown(context.Background())
	_ = p.sampled.Shutdown(context.Background())
	_ = p.unsampled.Shutdown(context.Background())
}
