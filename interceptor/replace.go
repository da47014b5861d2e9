package interceptor

import (
	"context"

	"go.opentelemetry.io/otel/propagation"

	"github.com/kafkatrace/kafkatrace/carrier"
)

// replacing makes a propagator's Inject replace the trace headers a message
// already has instead of adding to them: every header it can write (its
// Fields) is deleted first. Without it, a header the propagator does not
// write this time (the tracestate or baggage of another trace, or one it
// refused to read because it was malformed or over the W3C limits) would
// travel on next to the new traceparent.
type replacing struct {
	propagation.TextMapPropagator
	fields []string
}

func replaceOnInject(p propagation.TextMapPropagator) propagation.TextMapPropagator {
	return replacing{TextMapPropagator: p, fields: p.Fields()}
}

func (r replacing) Inject(ctx context.Context, c propagation.TextMapCarrier) {
	if mc, ok := c.(*carrier.MessageCarrier); ok {
		mc.Delete(r.fields...)
	}
	r.TextMapPropagator.Inject(ctx, c)
}
