package telemetry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/kafkatrace/kafkatrace/sampling"
)

// ConfigEnv names the environment variable holding the config file path.
const ConfigEnv = "KAFKATRACE_CONFIG"

// Start builds a Provider with [New] and installs it as the global
// TracerProvider, its propagator ([Provider.Propagator]) as the global
// propagator and, unless the metrics exporter is none, its
// [Provider.MeterProvider] as the global MeterProvider. See the package
// documentation for where the configuration comes from.
//
// The returned shutdown is [Provider.Shutdown]: it stops the config watcher
// and flushes the spans still queued and the metrics, giving up when ctx is
// done; calls after the first return the first call's result. Start is
// meant to be called once, early in main. To read the provider's
// [Provider.Stats], use New and install it yourself, or type-assert
// otel.GetTracerProvider() to *Provider.
func Start(ctx context.Context, opts ...Option) (shutdown func(context.Context) error, err error) {
	p, err := New(ctx, opts...)
	if err != nil {
		return nil, err
	}
	otel.SetTracerProvider(p)
	if p.meters != nil {
		otel.SetMeterProvider(p.meters.provider)
	}
	otel.SetTextMapPropagator(p.propagator)
	return p.Shutdown, nil
}

// Provider is a TracerProvider built from the configuration, with the
// sampler whose rules it reloads, and the MeterProvider of the metrics
// section. Use it directly (interceptor's WithTracerProvider and
// WithMeterProvider) to run several services in one process; Start installs
// one as the global.
type Provider struct {
	*sdktrace.TracerProvider
	meters     *meters // nil for the none metrics exporter
	sampler    *sampling.Sampler
	propagator propagation.TextMapPropagator
	counters   *counters
	watcher    *watcher
	once       sync.Once
	err        error
}

// Sampler returns the provider's topic sampler; pass it to the interceptor's
// WithTopicPolicy so untrusted topics follow the same (reloaded) rules.
func (p *Provider) Sampler() *sampling.Sampler { return p.sampler }

// Propagator returns the propagator the configuration names (the
// propagators key, or OTEL_PROPAGATORS); Start installs it as the global.
// Pass it to the interceptor's WithPropagators when using New.
func (p *Provider) Propagator() propagation.TextMapPropagator { return p.propagator }

// MeterProvider returns the MeterProvider the metrics section configures,
// with the same resource as the spans; Start installs it as the global.
// Pass it to the interceptor's WithMeterProvider when using New. For the
// none metrics exporter (the default) it is a no-op MeterProvider.
func (p *Provider) MeterProvider() metric.MeterProvider {
	if p.meters == nil {
		return noop.NewMeterProvider()
	}
	return p.meters.provider
}

// Stats returns what happened to this provider's sampled spans, including
// after its shutdown; zero for the none exporter.
func (p *Provider) Stats() SpanStats { return p.counters.stats() }

// ForceFlush exports the spans queued and the metrics recorded so far,
// giving up when ctx is done.
func (p *Provider) ForceFlush(ctx context.Context) error {
	return errors.Join(p.TracerProvider.ForceFlush(ctx), p.meters.forceFlush(ctx))
}

// Shutdown stops the config watcher and, at the same time, exports the
// spans still queued and the metrics recorded since the last export, then
// closes the exporters and the prometheus endpoint, giving up when ctx is
// done. It returns the exports' failures too (an *ExportError when the cause
// is a recognised misconfiguration), joined, so a program can exit non-zero
// when its spans or metrics did not arrive: the final flush's failures, and
// the count of sampled spans lost during the provider's life (in failed
// exports or dropped with the export queue full; ErrSpansLost) with the
// first failure, unless the final flush's failure already says it.
// Calls after the first return the first call's result.
func (p *Provider) Shutdown(ctx context.Context) error {
	p.once.Do(func() {
		if p.watcher != nil {
			p.watcher.close()
		}
		p.counters.closing()
		metricsErr := make(chan error, 1)
		go func() { metricsErr <- p.meters.shutdown(ctx) }()
		err := p.TracerProvider.Shutdown(ctx)
		closeErr := p.counters.closeErr()
		p.err = errors.Join(err, closeErr, p.counters.lostErr(closeErr == nil), <-metricsErr)
	})
	return p.err
}

// New builds a Provider from the configuration (see the package
// documentation) without touching the globals, and starts watching the
// config file when there is one.
func New(ctx context.Context, opts ...Option) (*Provider, error) {
	var err error
	o := newOptions(opts)
	if o.file != "" && o.cfg != nil {
		return nil, errors.New("telemetry: WithConfig and WithConfigFile cannot be combined")
	}
	path := o.file
	if v := o.getenv(ConfigEnv); v != "" {
		path = v
	}

	var cfg Config
	var content []byte
	switch {
	case path != "":
		if content, err = os.ReadFile(path); err != nil {
			return nil, fmt.Errorf("telemetry: read config: %w", err)
		}
		if cfg, err = resolveConfig(content, o.getenv); err != nil {
			return nil, fmt.Errorf("telemetry: config %s: %w", path, err)
		}
	default:
		cfg = DefaultConfig()
		if o.cfg != nil {
			cfg = *o.cfg
		}
		if err = checkConfig(&cfg, nil, o.getenv); err != nil {
			return nil, fmt.Errorf("telemetry: config: %w", err)
		}
	}

	rules, err := cfg.Sampling.compile()
	if err != nil {
		return nil, err // unreachable: validated
	}
	res, err := newResource(ctx, cfg.Service)
	if err != nil {
		return nil, fmt.Errorf("telemetry: resource: %w", err)
	}
	var stdout io.Writer // nil: os.Stdout
	if o.stdout != nil {
		stdout = &syncWriter{w: o.stdout}
	}
	exp := o.exporter
	if exp == nil {
		if exp, err = newExporter(ctx, cfg.Exporter, stdout); err != nil {
			return nil, fmt.Errorf("telemetry: exporter %s: %w", cfg.Exporter.Type, err)
		}
	}
	mt, err := newMeters(ctx, cfg.Metrics, res, stdout)
	if err != nil {
		if exp != nil && o.exporter == nil {
			_ = exp.Shutdown(ctx) // ours: release its connections
		}
		return nil, fmt.Errorf("telemetry: metrics exporter %s: %w", cfg.Metrics.Exporter, err)
	}

	s := o.sampler
	if s == nil {
		s = sampling.New(rules)
	} else {
		s.Swap(rules)
	}
	c := new(counters)
	tpOpts := []sdktrace.TracerProviderOption{sdktrace.WithSampler(s), sdktrace.WithResource(res)}
	if exp != nil {
		tpOpts = append(tpOpts, sdktrace.WithSpanProcessor(newGatedBatcher(exp, cfg.Batch, c, traceExplainer(cfg.Exporter))))
	}
	p := &Provider{
		TracerProvider: sdktrace.NewTracerProvider(tpOpts...),
		meters:         mt,
		sampler:        s,
		propagator:     newPropagator(cfg.Propagators),
		counters:       c,
	}
	if path != "" {
		p.watcher = startWatcher(path, content, o, s)
	}
	return p, nil
}
