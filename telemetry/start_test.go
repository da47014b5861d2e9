package telemetry

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/sampling"
)

func TestNoneExporter(t *testing.T) {
	shutdown := start(t, WithConfig(noneConfig()))
	_, span := otel.Tracer("test").Start(context.Background(), "x")
	span.End()
	assert.True(t, span.SpanContext().IsSampled(), "spans are still sampled and propagated")
	require.NoError(t, shutdown(context.Background()))
	assert.Equal(t, SpanStats{}, installed(t).Stats())
}

func TestStdoutExporter(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Exporter.Type = ExporterStdout
	cfg.Service = Service{Name: "orders", Attributes: map[string]string{"deployment.environment.name": "dev"}}
	cfg.Sampling.Rules = []Rule{{Topic: "audit", Ratio: 0}}
	var out bytes.Buffer
	shutdown := start(t, WithConfig(cfg), withStdout(&out))

	assert.True(t, sampledOn("orders"))
	assert.False(t, sampledOn("audit"))
	require.NoError(t, shutdown(context.Background()))

	s := out.String()
	assert.Equal(t, 1, strings.Count(s, `"Name":"orders publish"`), s)
	assert.NotContains(t, s, "audit publish")
	assert.Contains(t, s, `"Key":"service.name","Value":{"Type":"STRING","Value":"orders"}`)
	assert.Contains(t, s, `"Key":"deployment.environment.name"`)
	assert.Equal(t, SpanStats{Exported: 1}, installed(t).Stats())
}

// recordingExporter keeps what it is given, even after Shutdown (unlike
// tracetest.InMemoryExporter).
type recordingExporter struct {
	mu    sync.Mutex
	spans []sdktrace.ReadOnlySpan
}

func (e *recordingExporter) ExportSpans(_ context.Context, spans []sdktrace.ReadOnlySpan) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.spans = append(e.spans, spans...)
	return nil
}

func (*recordingExporter) Shutdown(context.Context) error { return nil }

func (e *recordingExporter) GetSpans() []sdktrace.ReadOnlySpan {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]sdktrace.ReadOnlySpan(nil), e.spans...)
}

func TestShutdownFlushes(t *testing.T) {
	exp := &recordingExporter{}
	cfg := noneConfig()
	cfg.Batch.ScheduleDelay = time.Hour
	shutdown := start(t, WithConfig(cfg), withExporter(exp))
	for range 10 {
		sampledOn("orders")
	}
	assert.Empty(t, exp.GetSpans(), "nothing exported before the delay")
	require.NoError(t, shutdown(context.Background()))
	assert.Len(t, exp.GetSpans(), 10)
	assert.Equal(t, SpanStats{Exported: 10}, installed(t).Stats())
	assert.NoError(t, shutdown(context.Background()), "a second call returns the first result")
}

// blockingExporter blocks every export until released.
type blockingExporter struct {
	release chan struct{}
	once    sync.Once
	mu      sync.Mutex
	spans   int
}

func newBlockingExporter() *blockingExporter { return &blockingExporter{release: make(chan struct{})} }

func (e *blockingExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	select {
	case <-e.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	e.mu.Lock()
	e.spans += len(spans)
	e.mu.Unlock()
	return nil
}

func (e *blockingExporter) Shutdown(context.Context) error { return nil }

func (e *blockingExporter) unblock() { e.once.Do(func() { close(e.release) }) }

func TestShutdownHonoursDeadline(t *testing.T) {
	exp := newBlockingExporter()
	defer exp.unblock() // let the processor's goroutine finish
	cfg := noneConfig()
	cfg.Batch.MaxExportBatchSize = 1
	shutdown := start(t, WithConfig(cfg), withExporter(exp))
	sampledOn("orders")

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	begin := time.Now()
	err := shutdown(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(begin), 5*time.Second)
}

// The gate admits at most max_queue_size spans the exporter has not
// finished with; with the exporter stuck, the rest are dropped and counted
// exactly, and span.End never waits.
func TestQueueFullIsCountedExactly(t *testing.T) {
	exp := newBlockingExporter()
	defer exp.unblock()
	cfg := noneConfig()
	cfg.Batch = Batch{MaxQueueSize: 4, MaxExportBatchSize: 1, ScheduleDelay: time.Hour, ExportTimeout: time.Hour}
	shutdown := start(t, WithConfig(cfg), withExporter(exp))

	for range 100 {
		sampledOn("orders")
	}
	assert.Equal(t, SpanStats{QueueFull: 96}, installed(t).Stats())
	assert.Equal(t, uint64(96), installed(t).Stats().Dropped())

	exp.unblock()
	err := shutdown(context.Background())
	require.EqualError(t, err, "telemetry: sampled spans were not exported: 96 (0 in failed exports, 96 dropped with the export queue full)",
		"Shutdown reports the spans lost during the provider's life, so the program can exit non-zero")
	assert.ErrorIs(t, err, ErrSpansLost)
	assert.Equal(t, SpanStats{Exported: 4, QueueFull: 96}, installed(t).Stats())
}

type failingExporter struct{}

// errBackendDown is what failingExporter returns.
var errBackendDown = errors.New("backend down")

func (failingExporter) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error {
	return errBackendDown
}
func (failingExporter) Shutdown(context.Context) error { return nil }

func TestExportFailuresAreCounted(t *testing.T) {
	errs := captureErrors(t)
	cfg := noneConfig()
	cfg.Batch.ScheduleDelay = 10 * time.Millisecond
	shutdown := start(t, WithConfig(cfg), withExporter(failingExporter{}))
	for range 5 {
		sampledOn("orders")
	}
	select {
	case err := <-errs:
		assert.ErrorContains(t, err, "backend down", "the SDK reports failed background exports through otel.Handle")
	case <-time.After(10 * time.Second):
		t.Fatal("no failed export reported through otel.Handle")
	}
	require.Eventually(t, func() bool { return installed(t).Stats().ExportFailed == 5 }, 10*time.Second, time.Millisecond)
	assert.Equal(t, SpanStats{ExportFailed: 5}, installed(t).Stats())
	assert.Equal(t, uint64(5), installed(t).Stats().Dropped())
	// Nothing was left to export at shutdown, but 5 spans were lost before
	// it: Shutdown says so, with the first failure in the chain.
	err := shutdown(context.Background())
	require.ErrorContains(t, err, "telemetry: sampled spans were not exported: 5 (5 in failed exports, 0 dropped with the export queue full); the first failure: backend down")
	assert.ErrorIs(t, err, ErrSpansLost)
	assert.ErrorIs(t, err, errBackendDown, "the first failure is in the chain")
}

// Spans still queued at shutdown are exported by Shutdown, which returns the
// export's failure: a program can exit non-zero when its spans are lost.
func TestShutdownReturnsTheFailedExport(t *testing.T) {
	shutdown := start(t, WithConfig(noneConfig()), withExporter(failingExporter{}))
	for range 3 {
		sampledOn("orders")
	}
	require.ErrorContains(t, shutdown(context.Background()), "backend down")
	assert.Equal(t, uint64(3), installed(t).Stats().ExportFailed)
}

func TestPropagatorIsTraceContextAndBaggage(t *testing.T) {
	start(t, WithConfig(noneConfig()))
	ctx, span := otel.Tracer("test").Start(context.Background(), "x")
	defer span.End()
	m, err := baggage.NewMember("tenant", "acme")
	require.NoError(t, err)
	b, err := baggage.New(m)
	require.NoError(t, err)
	ctx = baggage.ContextWithBaggage(ctx, b)

	carrier := propagation.MapCarrier{}
	otel.GetTextMapPropagator().Inject(ctx, carrier)
	assert.Contains(t, carrier.Get("traceparent"), span.SpanContext().TraceID().String())
	assert.Equal(t, "tenant=acme", carrier.Get("baggage"))
}

func TestWithSamplerReceivesTheRules(t *testing.T) {
	s := sampling.New(nil, sampling.WithDefaultSampler(sdktrace.NeverSample()))
	cfg := noneConfig()
	cfg.Sampling.Rules = []Rule{{Topic: "partner-a", Ratio: 1, Untrusted: true}}
	start(t, WithConfig(cfg), WithSampler(s))
	assert.True(t, s.Untrusted("partner-a"), "the caller's sampler got the configured rules")
	_, span := otel.Tracer("test").Start(context.Background(), "GET /")
	span.End()
	assert.False(t, span.SpanContext().IsSampled(), "the caller's default sampler is kept")
}

func TestStartRejectsInvalidWithConfig(t *testing.T) {
	_, err := Start(context.Background(), WithConfig(Config{}))
	assert.ErrorContains(t, err, "batch.max_queue_size")
	assert.ErrorContains(t, err, "exporter.type")
}

func TestMissingFile(t *testing.T) {
	_, err := Start(context.Background(), WithConfigFile("/nonexistent/kafkatrace.yaml"))
	assert.ErrorContains(t, err, "/nonexistent/kafkatrace.yaml")
}

// collector records the requests an HTTP exporter sends.
type collector struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (c *collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	c.reqs = append(c.reqs, r)
	c.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func (c *collector) requests() []*http.Request {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*http.Request(nil), c.reqs...)
}

func TestOTLPHTTPExporter(t *testing.T) {
	c := &collector{}
	srv := httptest.NewServer(c)
	defer srv.Close()
	cfg := DefaultConfig()
	cfg.Exporter = Exporter{Type: ExporterOTLPHTTP, Endpoint: srv.URL, Timeout: 5 * time.Second, Headers: map[string]string{"x-tenant": "acme"}}
	shutdown := start(t, WithConfig(cfg))
	sampledOn("orders")
	require.NoError(t, shutdown(context.Background()))

	reqs := c.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "/v1/traces", reqs[0].URL.Path)
	assert.Equal(t, "acme", reqs[0].Header.Get("x-tenant"))
	assert.Equal(t, "application/x-protobuf", reqs[0].Header.Get("Content-Type"))
	assert.Equal(t, SpanStats{Exported: 1}, installed(t).Stats())
}

// The deprecated jaeger exporter still builds and exports with this SDK.
func TestJaegerExporter(t *testing.T) {
	c := &collector{}
	srv := httptest.NewServer(c)
	defer srv.Close()
	cfg := DefaultConfig()
	cfg.Exporter = Exporter{Type: ExporterJaeger, Endpoint: srv.URL + "/api/traces", Timeout: 5 * time.Second}
	shutdown := start(t, WithConfig(cfg))
	sampledOn("orders")
	require.NoError(t, shutdown(context.Background()))

	reqs := c.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "/api/traces", reqs[0].URL.Path)
	assert.Equal(t, "application/x-thrift", reqs[0].Header.Get("Content-Type"))
	assert.Equal(t, SpanStats{Exported: 1}, installed(t).Stats())
}

var _ trace.TracerProvider = (*sdktrace.TracerProvider)(nil)
