package telemetry

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
)

// count adds n to the counter name of the global MeterProvider, as the
// interceptor does.
func count(t *testing.T, name string, n int64, attrs ...attribute.KeyValue) {
	t.Helper()
	c, err := otel.GetMeterProvider().Meter("test").Int64Counter(name)
	require.NoError(t, err)
	c.Add(context.Background(), n, metric.WithAttributes(attrs...))
}

func metricsConfig(m Metrics) Config {
	cfg := noneConfig()
	cfg.Service.Name = "orders"
	m.Timeout = cmp.Or(m.Timeout, 5*time.Second)
	m.Interval = cmp.Or(m.Interval, time.Hour) // only ForceFlush and Shutdown export
	m.PrometheusAddress = cmp.Or(m.PrometheusAddress, "127.0.0.1:0")
	cfg.Metrics = m
	return cfg
}

// With the none metrics exporter (the default) Start leaves the global
// MeterProvider alone, so an application's own metrics setup survives.
func TestMetricsNoneLeavesTheGlobalAlone(t *testing.T) {
	own := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	defer func() { _ = own.Shutdown(context.Background()) }()
	otel.SetMeterProvider(own)

	start(t, WithConfig(DefaultConfig()), withExporter(&recordingExporter{}))
	assert.Same(t, own, otel.GetMeterProvider())
	assert.IsType(t, noop.MeterProvider{}, installed(t).MeterProvider())
	assert.Nil(t, installed(t).meters)
}

// New builds a MeterProvider without installing it.
func TestNewLeavesTheGlobalMeterProviderAlone(t *testing.T) {
	before := otel.GetMeterProvider()
	var out bytes.Buffer
	p, err := New(context.Background(), WithConfig(metricsConfig(Metrics{Exporter: ExporterStdout})), withStdout(&out))
	require.NoError(t, err)
	assert.Same(t, before, otel.GetMeterProvider())
	assert.IsType(t, &sdkmetric.MeterProvider{}, p.MeterProvider())

	c, err := p.MeterProvider().Meter("test").Int64Counter("kafkatrace.test.direct")
	require.NoError(t, err)
	c.Add(context.Background(), 1)
	require.NoError(t, p.Shutdown(context.Background()))
	assert.Contains(t, out.String(), `"Name":"kafkatrace.test.direct"`)
}

func TestStdoutMetrics(t *testing.T) {
	cfg := metricsConfig(Metrics{Exporter: ExporterStdout})
	cfg.Exporter.Type = ExporterStdout // spans share the writer
	var out bytes.Buffer
	shutdown := start(t, WithConfig(cfg), withStdout(&out))
	assert.Same(t, installed(t).MeterProvider(), otel.GetMeterProvider(), "Start installs the MeterProvider")

	count(t, "kafkatrace.test.sent", 3)
	sampledOn("orders")
	require.NoError(t, installed(t).ForceFlush(context.Background()), "flushes spans and metrics")
	require.NoError(t, shutdown(context.Background()))

	s := out.String()
	assert.Contains(t, s, `"Name":"kafkatrace.test.sent"`)
	assert.Contains(t, s, `"Value":3`)
	assert.Contains(t, s, `"Name":"orders publish"`)
	assert.Contains(t, s, `"Key":"service.name","Value":{"Type":"STRING","Value":"orders"}`)
}

func TestPrometheusMetrics(t *testing.T) {
	shutdown := start(t, WithConfig(metricsConfig(Metrics{Exporter: ExporterPrometheus})))
	addr := installed(t).meters.addr
	require.NotEmpty(t, addr)
	count(t, "kafkatrace.test.received", 2, attribute.String("messaging.destination.name", "orders"))

	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	get := func(path string) (int, string, error) {
		resp, err := client.Get("http://" + addr + path)
		if err != nil {
			return 0, "", err
		}
		defer func() { _ = resp.Body.Close() }()
		body, err := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body), err
	}
	code, body, err := get("/metrics")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, code)
	assert.Regexp(t, `(?m)^kafkatrace_test_received_total\{[^}]*messaging_destination_name="orders"[^}]*\} 2$`, body)
	assert.Regexp(t, `target_info\{.*service_name="orders"`, body, "the spans' resource")
	code, _, err = get("/")
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, code, "only /metrics is served")

	require.NoError(t, shutdown(context.Background()))
	_, _, err = get("/metrics")
	assert.ErrorContains(t, err, "connection refused", "Shutdown closed the listener")
}

// A prometheus address in use fails Start, naming the key, and leaves
// nothing running (goleak checks the span exporter built before it).
func TestPrometheusAddressInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer func() { _ = ln.Close() }()
	cfg := metricsConfig(Metrics{Exporter: ExporterPrometheus, PrometheusAddress: ln.Addr().String()})
	cfg.Exporter.Type = ExporterOTLP

	shutdown, err := Start(context.Background(), WithConfig(cfg))
	assert.Nil(t, shutdown)
	assert.ErrorContains(t, err, "telemetry: metrics exporter prometheus: metrics.prometheus_address: listen tcp "+ln.Addr().String())
	assert.ErrorContains(t, err, "address already in use")
}

// otlpCollector keeps the OTLP/HTTP metric requests it receives.
type otlpCollector struct {
	mu   sync.Mutex
	reqs []otlpRequest
}

type otlpRequest struct {
	path, contentType, tenant string
	body                      *colmetricpb.ExportMetricsServiceRequest
}

func (c *otlpCollector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	data, _ := io.ReadAll(r.Body)
	req := otlpRequest{r.URL.Path, r.Header.Get("Content-Type"), r.Header.Get("x-tenant"), &colmetricpb.ExportMetricsServiceRequest{}}
	if err := proto.Unmarshal(data, req.body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	c.reqs = append(c.reqs, req)
	c.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func (c *otlpCollector) requests() []otlpRequest {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]otlpRequest(nil), c.reqs...)
}

func TestOTLPHTTPMetrics(t *testing.T) {
	tests := []struct {
		name string
		cfg  func(url string) Metrics
		env  func(url string) map[string]string
	}{
		{"file endpoint without a path", func(url string) Metrics {
			return Metrics{Exporter: ExporterOTLPHTTP, Endpoint: url, Headers: map[string]string{"x-tenant": "acme"}}
		}, nil},
		{"environment", func(string) Metrics { return Metrics{Exporter: ExporterNone} }, func(url string) map[string]string {
			return map[string]string{
				"OTEL_METRICS_EXPORTER":              "otlp",
				"OTEL_EXPORTER_OTLP_PROTOCOL":        "http/protobuf",
				"OTEL_EXPORTER_OTLP_ENDPOINT":        url,
				"OTEL_EXPORTER_OTLP_METRICS_HEADERS": "x-tenant=acme",
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &otlpCollector{}
			srv := httptest.NewServer(c)
			defer srv.Close()
			if tt.env != nil {
				for k, v := range tt.env(srv.URL) {
					t.Setenv(k, v)
				}
			}
			shutdown := start(t, WithConfig(metricsConfig(tt.cfg(srv.URL))))
			count(t, "kafkatrace.test.sent", 5)
			require.NoError(t, installed(t).ForceFlush(context.Background()))

			reqs := c.requests()
			require.Len(t, reqs, 1, "ForceFlush exported once")
			r := reqs[0]
			assert.Equal(t, "/v1/metrics", r.path)
			assert.Equal(t, "application/x-protobuf", r.contentType)
			assert.Equal(t, "acme", r.tenant)
			require.Len(t, r.body.ResourceMetrics, 1)
			rm := r.body.ResourceMetrics[0]
			attrs := map[string]string{}
			for _, kv := range rm.Resource.Attributes {
				attrs[kv.Key] = kv.Value.GetStringValue()
			}
			assert.Equal(t, "orders", attrs["service.name"], "the spans' resource")
			require.Len(t, rm.ScopeMetrics, 1)
			require.Len(t, rm.ScopeMetrics[0].Metrics, 1)
			m := rm.ScopeMetrics[0].Metrics[0]
			assert.Equal(t, "kafkatrace.test.sent", m.Name)
			assert.Equal(t, int64(5), m.GetSum().DataPoints[0].GetAsInt())

			require.NoError(t, shutdown(context.Background()))
			assert.Len(t, c.requests(), 2, "Shutdown exported the rest")
		})
	}
}

// metricsOnce records one counter through a Provider with metrics m and
// shuts down, returning how long Shutdown took and its error.
func metricsOnce(t *testing.T, m Metrics) (time.Duration, error) {
	t.Helper()
	m.Timeout = 2 * time.Second
	p, err := New(context.Background(), WithConfig(metricsConfig(m)))
	require.NoError(t, err)
	c, err := p.MeterProvider().Meter("test").Int64Counter("kafkatrace.test.sent")
	require.NoError(t, err)
	c.Add(context.Background(), 1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	begin := time.Now()
	err = p.Shutdown(ctx)
	return time.Since(begin), err
}

// The explanations of the span exporter's failures, with the metrics keys
// and variables, plus the collector that takes no metrics (Jaeger).
func TestMetricExportMisconfigurationsNameTheFix(t *testing.T) {
	tracesOnly := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/traces" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer tracesOnly.Close()
	plainHost := strings.TrimPrefix(tracesOnly.URL, "http://")
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	defer tlsSrv.Close()
	tlsHost := strings.TrimPrefix(tlsSrv.URL, "https://")
	refused := closedPort(t)
	grpcLn, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	grpcSrv := grpc.NewServer() // no services: a traces-only collector has no MetricsService
	go func() { _ = grpcSrv.Serve(grpcLn) }()
	defer grpcSrv.Stop()

	tests := []struct {
		name string
		m    Metrics
		want []string
	}{
		{"scheme-less endpoint (TLS) at a plain-text collector",
			Metrics{Exporter: ExporterOTLPHTTP, Endpoint: plainHost},
			[]string{"speaks plain text", "without a scheme means TLS",
				"set OTEL_EXPORTER_OTLP_METRICS_ENDPOINT (or metrics.endpoint) to http://" + plainHost + ", or OTEL_EXPORTER_OTLP_METRICS_INSECURE=true (or metrics.insecure: true)"}},
		{"plain text at a TLS collector",
			Metrics{Exporter: ExporterOTLPHTTP, Endpoint: "http://" + tlsHost},
			[]string{"expects TLS", "set OTEL_EXPORTER_OTLP_METRICS_ENDPOINT (or metrics.endpoint) to https://" + tlsHost}},
		{"connection refused, gRPC",
			Metrics{Exporter: ExporterOTLP, Endpoint: "http://" + refused},
			[]string{"nothing listens at " + refused, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT (or metrics.endpoint)"}},
		{"wrong path",
			Metrics{Exporter: ExporterOTLPHTTP, Endpoint: tracesOnly.URL + "/api/metrics"},
			[]string{"HTTP 404", "OTLP/HTTP metrics go to /v1/metrics"}},
		{"no metrics at the standard path (a traces-only collector)",
			Metrics{Exporter: ExporterOTLPHTTP, Endpoint: tracesOnly.URL},
			[]string{"does not accept OTLP metrics", "metrics.exporter: none (OTEL_METRICS_EXPORTER=none)"}},
		{"no metrics service, gRPC",
			Metrics{Exporter: ExporterOTLP, Endpoint: "http://" + grpcLn.Addr().String()},
			[]string{"does not accept OTLP metrics", "metrics.exporter: none", "Unimplemented"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			took, err := metricsOnce(t, tt.m)
			require.Error(t, err)
			t.Logf("%v after %v", err, took.Round(time.Millisecond))
			var ee *ExportError
			require.True(t, errors.As(err, &ee), "a recognised misconfiguration: %v", err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, err.Error(), "exporter.endpoint")
			assert.Less(t, took, 5*time.Second, "fails within the export timeout")
		})
	}
}

// Shutdown returns the final span export's failure and the metric export's,
// joined.
func TestShutdownJoinsSpanAndMetricFailures(t *testing.T) {
	cfg := metricsConfig(Metrics{Exporter: ExporterOTLP, Endpoint: "http://" + closedPort(t), Timeout: 500 * time.Millisecond})
	shutdown := start(t, WithConfig(cfg), withExporter(failingExporter{}))
	sampledOn("orders")
	count(t, "kafkatrace.test.sent", 1)

	err := shutdown(context.Background())
	assert.ErrorContains(t, err, "backend down")
	assert.ErrorContains(t, err, "nothing listens at")
	var ee *ExportError
	assert.ErrorAs(t, err, &ee)
	assert.Equal(t, uint64(1), installed(t).Stats().ExportFailed)
}

// A collector that never answers holds neither Shutdown nor the test.
func TestShutdownHonoursDeadlineWithMetrics(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	cfg := metricsConfig(Metrics{Exporter: ExporterOTLPHTTP, Endpoint: srv.URL, Timeout: time.Hour})
	shutdown := start(t, WithConfig(cfg))
	count(t, "kafkatrace.test.sent", 1)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	begin := time.Now()
	err := shutdown(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(begin), 5*time.Second)
}

func TestExplainNamesTheSignalsSettings(t *testing.T) {
	tlsErr := errors.New("tls: first record does not look like a TLS handshake")
	assert.ErrorContains(t, traceExplainer(Exporter{Type: ExporterOTLP, Endpoint: "c:4317"}).explain(tlsErr),
		"set OTEL_EXPORTER_OTLP_ENDPOINT (or exporter.endpoint) to http://c:4317, or OTEL_EXPORTER_OTLP_INSECURE=true (or exporter.insecure: true)")
	assert.ErrorContains(t, metricExplainer(Metrics{Exporter: ExporterOTLP, Endpoint: "c:4317"}).explain(tlsErr),
		"set OTEL_EXPORTER_OTLP_METRICS_ENDPOINT (or metrics.endpoint) to http://c:4317, or OTEL_EXPORTER_OTLP_METRICS_INSECURE=true (or metrics.insecure: true)")

	notFound := errors.New("failed to send to http://c:4318/v1/traces: 404 Not Found")
	assert.ErrorContains(t, traceExplainer(Exporter{Type: ExporterOTLPHTTP}).explain(notFound),
		"does not accept OTLP traces")
	assert.ErrorContains(t, traceExplainer(Exporter{Type: ExporterOTLPHTTP, Endpoint: "http://c:4318/x"}).explain(notFound),
		"OTLP/HTTP traces go to /v1/traces")
	assert.ErrorContains(t, metricExplainer(Metrics{Exporter: ExporterOTLPHTTP, Endpoint: "c:4318"}).explain(notFound),
		"does not accept OTLP metrics", "a host:port endpoint gets the standard path")
}
