package telemetry

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

// grpcTraces and grpcMetrics are the two services of an OTLP/gRPC
// collector; they count what they accept.
type grpcTraces struct {
	coltracepb.UnimplementedTraceServiceServer
	spans atomic.Int64
}

func (c *grpcTraces) Export(_ context.Context, req *coltracepb.ExportTraceServiceRequest) (*coltracepb.ExportTraceServiceResponse, error) {
	for _, rs := range req.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			c.spans.Add(int64(len(ss.Spans)))
		}
	}
	return &coltracepb.ExportTraceServiceResponse{}, nil
}

type grpcMetrics struct {
	colmetricpb.UnimplementedMetricsServiceServer
	requests atomic.Int64
}

func (c *grpcMetrics) Export(context.Context, *colmetricpb.ExportMetricsServiceRequest) (*colmetricpb.ExportMetricsServiceResponse, error) {
	c.requests.Add(1)
	return &colmetricpb.ExportMetricsServiceResponse{}, nil
}

// startGRPCCollector serves an OTLP/gRPC collector (traces and metrics) on
// a loopback port until the test ends: plain text when cert is nil, else
// TLS with cert. It returns host:port.
func startGRPCCollector(t *testing.T, cert *tls.Certificate) (string, *grpcTraces, *grpcMetrics) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var opts []grpc.ServerOption
	if cert != nil {
		opts = append(opts, grpc.Creds(credentials.NewServerTLSFromCert(cert)))
	}
	srv := grpc.NewServer(opts...)
	traces, metrics := &grpcTraces{}, &grpcMetrics{}
	coltracepb.RegisterTraceServiceServer(srv, traces)
	colmetricpb.RegisterMetricsServiceServer(srv, metrics)
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(ln)
	}()
	t.Cleanup(func() {
		srv.Stop()
		<-served
	})
	return ln.Addr().String(), traces, metrics
}

// selfSignedCert returns a certificate for 127.0.0.1, valid for an hour,
// and the path of a PEM file holding it (for OTEL_EXPORTER_OTLP_CERTIFICATE).
func selfSignedCert(t *testing.T) (tls.Certificate, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "kafkatrace test collector"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "collector.pem")
	require.NoError(t, os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, path
}

// newTestProvider builds a Provider for cfg; the test's end shuts it down
// if the test has not.
func newTestProvider(t *testing.T, cfg Config) *Provider {
	t.Helper()
	p, err := New(context.Background(), WithConfig(cfg))
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = p.Shutdown(ctx)
	})
	return p
}

// shutdownNow shuts p down within 10s and returns Shutdown's error.
func shutdownNow(t *testing.T, p *Provider) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return p.Shutdown(ctx)
}

// awaitError waits for the first error otel.Handle receives, without
// Shutdown, and returns how long it took from since, and the error.
func awaitError(t *testing.T, errs <-chan error, since time.Time, within time.Duration) (time.Duration, error) {
	t.Helper()
	var got error
	require.Eventually(t, func() bool {
		select {
		case got = <-errs:
			return true
		default:
			return false
		}
	}, within, 2*time.Millisecond, "no export error reached otel.Handle before Shutdown")
	return time.Since(since), got
}

// drain returns what errs holds now.
func drain(errs <-chan error) []error {
	var out []error
	for {
		select {
		case err := <-errs:
			out = append(out, err)
		default:
			return out
		}
	}
}

// requireOneClearExportError checks that err is a single *ExportError,
// not wrapped twice, whose hint holds every one of want.
func requireOneClearExportError(t *testing.T, err error, want ...string) {
	t.Helper()
	var ee *ExportError
	require.ErrorAs(t, err, &ee, "a recognised misconfiguration: %v", err)
	for _, w := range want {
		assert.Contains(t, ee.Hint, w)
	}
	assert.Equal(t, 1, strings.Count(err.Error(), ee.Hint), "explained once, not twice: %v", err)
}

// A scheme-less endpoint means TLS to the OTLP exporters; at a plain-text
// gRPC collector every export fails. The explanation reaches the program's
// otel error handler as soon as the export fails (the batch span processor
// and the periodic metric reader report through otel.Handle), not only
// Shutdown's error, and each failed export is reported once: the span batch
// is not retried, and the metric reader reports at most one error per
// interval.
func TestExportErrorReachesOtelHandle(t *testing.T) {
	addr, traces, metrics := startGRPCCollector(t, nil) // plain text

	t.Run("spans", func(t *testing.T) {
		errs := captureErrors(t)
		cfg := noneConfig()
		cfg.Exporter = Exporter{Type: ExporterOTLP, Endpoint: addr, Timeout: 300 * time.Millisecond}
		cfg.Batch.ScheduleDelay = 10 * time.Millisecond
		cfg.Batch.ExportTimeout = 5 * time.Second
		p := newTestProvider(t, cfg)

		_, span := p.Tracer("test").Start(context.Background(), "op")
		span.End()
		ended := time.Now()
		took, err := awaitError(t, errs, ended, 5*time.Second)
		t.Logf("otel.Handle after %v: %v", took.Round(time.Millisecond), err)
		requireOneClearExportError(t, err,
			"speaks plain text", "without a scheme means TLS",
			"set OTEL_EXPORTER_OTLP_ENDPOINT (or exporter.endpoint) to http://"+addr+", or OTEL_EXPORTER_OTLP_INSECURE=true (or exporter.insecure: true)")
		assert.NotContains(t, err.Error(), "metrics.", "a span export names the span settings")
		assert.Less(t, took, cfg.Batch.ExportTimeout, "reported within the export timeout")

		// Shutdown stops the batch processor: nothing can be reported after
		// it. Its error counts the lost span and explains the cause once, even
		// when the final flush fails the same way.
		serr := shutdownNow(t, p)
		require.ErrorIs(t, serr, ErrSpansLost)
		requireOneClearExportError(t, serr, "speaks plain text")
		assert.Empty(t, drain(errs), "one failed batch, one report")
		assert.Equal(t, SpanStats{ExportFailed: 1}, p.Stats())
		assert.Zero(t, traces.spans.Load())
	})

	t.Run("metrics", func(t *testing.T) {
		errs := captureErrors(t)
		const interval = time.Second
		cfg := metricsConfig(Metrics{Exporter: ExporterOTLP, Endpoint: addr, Timeout: 300 * time.Millisecond, Interval: interval})
		p := newTestProvider(t, cfg)
		c, err := p.MeterProvider().Meter("test").Int64Counter("kafkatrace.test.sent")
		require.NoError(t, err)
		begin := time.Now()
		c.Add(context.Background(), 1)

		took, err := awaitError(t, errs, begin, 10*interval)
		t.Logf("otel.Handle after %v: %v", took.Round(time.Millisecond), err)
		requireOneClearExportError(t, err,
			"speaks plain text", "without a scheme means TLS",
			"set OTEL_EXPORTER_OTLP_METRICS_ENDPOINT (or metrics.endpoint) to http://"+addr+", or OTEL_EXPORTER_OTLP_METRICS_INSECURE=true (or metrics.insecure: true)")
		assert.NotContains(t, err.Error(), "exporter.", "a metric export names the metrics settings")
		assert.GreaterOrEqual(t, took, interval, "the first push is one interval in")

		// The reader pushes, and reports, once per interval; Shutdown stops
		// it. The intervals are counted once it has stopped, so every push
		// that could have been reported is counted.
		serr := shutdownNow(t, p)
		elapsed := time.Since(begin)
		var ee *ExportError
		assert.ErrorAs(t, serr, &ee, "Shutdown's final push fails too, explained")
		n := 1 + len(drain(errs))
		pushes := int(elapsed / interval)
		t.Logf("%d report(s) in %v (%d interval(s))", n, elapsed.Round(time.Millisecond), pushes)
		assert.LessOrEqual(t, n, pushes, "at most one report per push")
		assert.Zero(t, metrics.requests.Load())
	})

	// The fixes the hints name work.
	for _, fix := range []struct {
		name string
		exp  Exporter
	}{
		{"fixed with http://", Exporter{Type: ExporterOTLP, Endpoint: "http://" + addr}},
		{"fixed with exporter.insecure", Exporter{Type: ExporterOTLP, Endpoint: addr, Insecure: true}},
	} {
		t.Run(fix.name, func(t *testing.T) {
			errs := captureErrors(t)
			cfg := noneConfig()
			cfg.Exporter = fix.exp
			cfg.Exporter.Timeout = 5 * time.Second
			p := newTestProvider(t, cfg)
			before := traces.spans.Load()
			_, span := p.Tracer("test").Start(context.Background(), "op")
			span.End()
			require.NoError(t, p.ForceFlush(context.Background()))
			require.NoError(t, shutdownNow(t, p))
			assert.Equal(t, before+1, traces.spans.Load())
			assert.Empty(t, drain(errs))
		})
	}
}

// A plain-text gRPC endpoint (http://, or host:port with insecure) at a
// TLS collector: the export fails with an ExportError naming the endpoint
// setting to change, reported through otel.Handle within the export
// timeout; OTLP/HTTP's case is in TestExportMisconfigurationsNameTheFix.
func TestGRPCPlainEndpointAtTLSCollectorNamesTheFix(t *testing.T) {
	cert, pemPath := selfSignedCert(t)
	addr, traces, metrics := startGRPCCollector(t, &cert)

	for _, tt := range []struct {
		name string
		exp  Exporter
		fix  string
	}{
		{"http:// endpoint", Exporter{Type: ExporterOTLP, Endpoint: "http://" + addr},
			"set OTEL_EXPORTER_OTLP_ENDPOINT (or exporter.endpoint) to https://" + addr},
		{"host:port with exporter.insecure", Exporter{Type: ExporterOTLP, Endpoint: addr, Insecure: true},
			"set OTEL_EXPORTER_OTLP_INSECURE=false (or exporter.insecure: false), or set OTEL_EXPORTER_OTLP_ENDPOINT (or exporter.endpoint) to https://" + addr},
	} {
		t.Run(tt.name, func(t *testing.T) {
			errs := captureErrors(t)
			cfg := noneConfig()
			cfg.Exporter = tt.exp
			cfg.Exporter.Timeout = 500 * time.Millisecond
			cfg.Batch.ScheduleDelay = 10 * time.Millisecond
			cfg.Batch.ExportTimeout = 2 * time.Second
			p := newTestProvider(t, cfg)

			_, span := p.Tracer("test").Start(context.Background(), "op")
			span.End()
			took, err := awaitError(t, errs, time.Now(), 5*time.Second)
			t.Logf("otel.Handle after %v: %v", took.Round(time.Millisecond), err)
			requireOneClearExportError(t, err, "expects TLS", tt.fix)
			assert.Less(t, took, cfg.Batch.ExportTimeout, "reported within the export timeout")

			// Shutdown says the span was lost, with the fix once.
			serr := shutdownNow(t, p)
			require.ErrorIs(t, serr, ErrSpansLost)
			requireOneClearExportError(t, serr, "expects TLS", tt.fix)
			assert.Empty(t, drain(errs), "one failed batch, one report")
			assert.Zero(t, traces.spans.Load())
		})
	}

	t.Run("metrics, http:// endpoint", func(t *testing.T) {
		cfg := metricsConfig(Metrics{Exporter: ExporterOTLP, Endpoint: "http://" + addr, Timeout: 500 * time.Millisecond})
		p := newTestProvider(t, cfg)
		c, err := p.MeterProvider().Meter("test").Int64Counter("kafkatrace.test.sent")
		require.NoError(t, err)
		c.Add(context.Background(), 1)
		begin := time.Now()
		err = shutdownNow(t, p)
		took := time.Since(begin)
		t.Logf("Shutdown after %v: %v", took.Round(time.Millisecond), err)
		requireOneClearExportError(t, err,
			"expects TLS",
			"set OTEL_EXPORTER_OTLP_METRICS_ENDPOINT (or metrics.endpoint) to https://"+addr)
		assert.Less(t, took, 2*time.Second, "fails within the export timeout")
		assert.Zero(t, metrics.requests.Load())
	})

	// The fix the hint names works, given the collector's certificate.
	t.Run("fixed with https://", func(t *testing.T) {
		t.Setenv("OTEL_EXPORTER_OTLP_CERTIFICATE", pemPath)
		errs := captureErrors(t)
		cfg := metricsConfig(Metrics{Exporter: ExporterOTLP, Endpoint: "https://" + addr})
		cfg.Exporter = Exporter{Type: ExporterOTLP, Endpoint: "https://" + addr, Timeout: 5 * time.Second}
		p := newTestProvider(t, cfg)
		_, span := p.Tracer("test").Start(context.Background(), "op")
		span.End()
		c, err := p.MeterProvider().Meter("test").Int64Counter("kafkatrace.test.sent")
		require.NoError(t, err)
		c.Add(context.Background(), 1)
		require.NoError(t, p.ForceFlush(context.Background()))
		require.NoError(t, shutdownNow(t, p))
		assert.Equal(t, int64(1), traces.spans.Load())
		assert.Positive(t, metrics.requests.Load())
		assert.Empty(t, drain(errs))
	})
}
