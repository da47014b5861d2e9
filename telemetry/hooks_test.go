package telemetry

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/sampling"
)

// Test-only options.

func withStdout(w io.Writer) Option {
	return optionFunc(func(o *options) { o.stdout = w })
}

func withExporter(e sdktrace.SpanExporter) Option {
	return optionFunc(func(o *options) { o.exporter = e })
}

func withReloadHook(f func(error)) Option {
	return optionFunc(func(o *options) { o.afterReload = f })
}

// Helpers.

// start runs Start and shuts the pipeline down when the test ends.
func start(t *testing.T, opts ...Option) func(context.Context) error {
	t.Helper()
	shutdown, err := Start(context.Background(), opts...)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = shutdown(ctx)
	})
	return shutdown
}

// installed returns the Provider the latest Start installed as the global
// TracerProvider, as the Start documentation promises.
func installed(t *testing.T) *Provider {
	t.Helper()
	p, ok := otel.GetTracerProvider().(*Provider)
	require.True(t, ok, "the global TracerProvider is a *Provider")
	return p
}

// writeConfig writes content to path atomically, as config tools should.
func writeConfig(t *testing.T, path, content string) {
	t.Helper()
	tmp := filepath.Join(filepath.Dir(path), ".tmp-"+filepath.Base(path))
	require.NoError(t, os.WriteFile(tmp, []byte(content), 0o600))
	require.NoError(t, os.Rename(tmp, path))
}

// newConfigFile writes content to a new file and returns its path.
func newConfigFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kafkatrace.yaml")
	writeConfig(t, path, content)
	return path
}

// startSpan starts and ends a span on topic through the global provider,
// as the interceptor does, and reports whether it was sampled.
func sampledOn(topic string) bool {
	_, span := otel.Tracer("test").Start(context.Background(), topic+" publish",
		trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithAttributes(sampling.TopicKey.String(topic)))
	span.End()
	return span.SpanContext().IsSampled()
}

// countSampled starts n root spans on topic and counts the sampled ones.
func countSampled(topic string, n int) int {
	c := 0
	for range n {
		if sampledOn(topic) {
			c++
		}
	}
	return c
}

// noneConfig exports neither spans nor metrics.
func noneConfig() Config {
	c := DefaultConfig()
	c.Exporter.Type = ExporterNone
	c.Metrics.Exporter = ExporterNone
	return c
}

func newTestSampler(t *testing.T, yaml string) *sampling.Sampler {
	t.Helper()
	cfg, err := parseConfig([]byte(yaml))
	require.NoError(t, err)
	rs, err := cfg.Sampling.compile()
	require.NoError(t, err)
	return sampling.New(rs)
}
