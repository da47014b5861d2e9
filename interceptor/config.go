package interceptor

import (
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/internal/spanattr"
	"github.com/kafkatrace/kafkatrace/semconv"
)

// config is built from Options; the zero value plus defaults() is usable.
type config struct {
	tracerProvider trace.TracerProvider
	meterProvider  metric.MeterProvider
	propagator     propagation.TextMapPropagator
	attrs          []attribute.KeyValue
	opt            spanattr.Opt
	nameFormatter  semconv.NameFormatter
	consumer       consumerConfig
}

// Option configures a Producer or Consumer. Options that only make sense for
// one of them are ignored by the other.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

func newConfig(opts []Option) config {
	c := config{consumer: defaultConsumerConfig()}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	if c.tracerProvider == nil {
		c.tracerProvider = otel.GetTracerProvider()
	}
	if c.meterProvider == nil {
		c.meterProvider = otel.GetMeterProvider()
	}
	if c.propagator == nil {
		c.propagator = defaultPropagator()
	}
	c.propagator = replaceOnInject(c.propagator)
	return c
}

func (c *config) tracer() trace.Tracer {
	return c.tracerProvider.Tracer(ScopeName,
		trace.WithInstrumentationVersion(Version),
		trace.WithSchemaURL(semconv.SchemaURL))
}

// defaultPropagator returns the global propagator, or W3C TraceContext +
// Baggage when no global propagator has been set (the global default writes
// nothing, which would silently break propagation). The global is read when
// the Producer or Consumer is built, so set it first.
func defaultPropagator() propagation.TextMapPropagator {
	p := otel.GetTextMapPropagator()
	if len(p.Fields()) == 0 {
		return propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
	}
	return p
}

// WithTracerProvider sets the TracerProvider spans are started with. The
// default is the global provider (otel.GetTracerProvider); nil is ignored.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return optionFunc(func(c *config) {
		if tp != nil {
			c.tracerProvider = tp
		}
	})
}

// WithMeterProvider sets the MeterProvider the messaging metrics are
// recorded with (see the package documentation, Metrics). The default is the
// global provider (otel.GetMeterProvider): until the application installs an
// SDK, recording costs nothing. nil is ignored.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return optionFunc(func(c *config) {
		if mp != nil {
			c.meterProvider = mp
		}
	})
}

// WithPropagators sets the propagator that writes and reads message headers.
// The default is the global propagator, or W3C TraceContext + Baggage when the
// global one is the no-op default; nil is ignored.
func WithPropagators(p propagation.TextMapPropagator) Option {
	return optionFunc(func(c *config) {
		if p != nil {
			c.propagator = p
		}
	})
}

// WithAttributes adds attributes to every span. They are passed at span start,
// so a sampler sees them.
func WithAttributes(attrs ...attribute.KeyValue) Option {
	return optionFunc(func(c *config) {
		c.attrs = append(c.attrs, attrs...)
	})
}

// WithRecordKey records the message key as messaging.kafka.message.key when it
// is valid UTF-8. Off by default: keys often carry personal data.
func WithRecordKey(record bool) Option {
	return optionFunc(func(c *config) { c.opt.RecordKey = record })
}

// WithRecordBodySize records the message value's length as
// messaging.message.body.size. Off by default. The body itself is never
// recorded.
func WithRecordBodySize(record bool) Option {
	return optionFunc(func(c *config) { c.opt.RecordBodySize = record })
}

// WithSpanNameFormatter replaces the default "{operation} {topic}" span names.
// The formatter must be a pure function of its arguments: names are cached per
// topic. nil is ignored.
func WithSpanNameFormatter(f func(op semconv.Operation, topic string) string) Option {
	return optionFunc(func(c *config) {
		if f != nil {
			c.nameFormatter = f
		}
	})
}
