package telemetry

import (
	"io"
	"os"
	"os/signal"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/kafkatrace/kafkatrace/sampling"
)

// DefaultReloadInterval is how often Start checks the config file for
// changes unless [WithReloadInterval] says otherwise.
const DefaultReloadInterval = 2 * time.Second

// Option configures [Start].
type Option interface {
	apply(*options)
}

type options struct {
	file        string
	cfg         *Config
	interval    time.Duration
	signals     []os.Signal
	sampler     *sampling.Sampler
	getenv      func(string) string
	stdout      io.Writer                            // tests: where the stdout exporter writes
	exporter    sdktrace.SpanExporter                // tests: replaces the configured exporter
	afterReload func(error)                          // tests: called after each reload attempt
	notify      func(chan<- os.Signal, ...os.Signal) // tests: replaces signal.Notify
}

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

func newOptions(opts []Option) options {
	o := options{
		interval: DefaultReloadInterval,
		getenv:   os.Getenv,
		notify:   signal.Notify,
	}
	for _, opt := range opts {
		if opt != nil {
			opt.apply(&o)
		}
	}
	return o
}

// WithConfigFile reads the configuration from the YAML file at path and
// watches it for sampling changes. The KAFKATRACE_CONFIG environment
// variable, when set, names the file instead. It cannot be combined with
// [WithConfig].
func WithConfigFile(path string) Option {
	return optionFunc(func(o *options) { o.file = path })
}

// WithConfig uses cfg instead of a file; start from [DefaultConfig]. The
// OTEL_* environment variables still apply over it, and KAFKATRACE_CONFIG,
// when set, replaces it with the file it names. Nothing is reloaded.
func WithConfig(cfg Config) Option {
	return optionFunc(func(o *options) { o.cfg = &cfg })
}

// WithReloadInterval sets how often the config file is checked for changes;
// d <= 0 turns polling off (signals given to [WithReloadSignals] still
// reload). The default is [DefaultReloadInterval].
func WithReloadInterval(d time.Duration) Option {
	return optionFunc(func(o *options) { o.interval = d })
}

// WithReloadSignals makes the given signals, such as syscall.SIGHUP, force
// a reload of the config file. By default no signal is handled: signal
// handling is process-wide, so it is left to the application to ask for it.
// While the pipeline runs, these signals no longer stop the process (see
// [os/signal.Notify]). Without a config file it does nothing; with no
// signals, it restores the default.
func WithReloadSignals(sig ...os.Signal) Option {
	return optionFunc(func(o *options) { o.signals = sig })
}

// WithSampler makes Start load the configured rules into s, and reload them
// into it, instead of into a sampler of its own. Pass the same s to the
// interceptor's WithTopicPolicy so that both follow reloads. s keeps its
// own default sampler for non-Kafka spans. A nil s is ignored.
func WithSampler(s *sampling.Sampler) Option {
	return optionFunc(func(o *options) {
		if s != nil {
			o.sampler = s
		}
	})
}
