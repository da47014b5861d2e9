package sampling

import sdktrace "go.opentelemetry.io/otel/sdk/trace"

// Option configures a [Sampler].
type Option interface {
	apply(*config)
}

type config struct {
	fallback sdktrace.Sampler
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

func newConfig(opts []Option) config {
	c := config{fallback: sdktrace.ParentBased(sdktrace.AlwaysSample())}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	return c
}

// WithDefaultSampler sets the sampler for spans that are not Kafka spans,
// that is spans started without a messaging.destination.name attribute. The
// default is ParentBased(AlwaysSample()). A nil sampler is ignored.
func WithDefaultSampler(s sdktrace.Sampler) Option {
	return optionFunc(func(c *config) {
		if s != nil {
			c.fallback = s
		}
	})
}
