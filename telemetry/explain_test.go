package telemetry

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// exportOnce builds a Provider for exp, ends one span and shuts down,
// returning Shutdown's error and how long it took.
func exportOnce(t *testing.T, exp Exporter) (time.Duration, error) {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Exporter = exp
	cfg.Exporter.Timeout = 2 * time.Second
	cfg.Batch.ExportTimeout = 3 * time.Second
	p, err := New(context.Background(), WithConfig(cfg))
	require.NoError(t, err)
	_, span := p.Tracer("test").Start(context.Background(), "op")
	span.End()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	err = p.Shutdown(ctx)
	return time.Since(start), err
}

func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// The classic misconfigurations end in one error that names the fix, well
// within the export timeout, and Shutdown returns it.
func TestExportMisconfigurationsNameTheFix(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/traces" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer plain.Close()
	plainHost := strings.TrimPrefix(plain.URL, "http://")
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	defer tlsSrv.Close()
	tlsHost := strings.TrimPrefix(tlsSrv.URL, "https://")
	refused := closedPort(t)

	tests := []struct {
		name string
		exp  Exporter
		want []string
	}{
		{"scheme-less endpoint (TLS) at a plain-text collector, gRPC",
			Exporter{Type: ExporterOTLP, Endpoint: plainHost},
			[]string{"speaks plain text", "without a scheme means TLS", "http://" + plainHost, "OTEL_EXPORTER_OTLP_ENDPOINT"}},
		{"scheme-less endpoint (TLS) at a plain-text collector, HTTP",
			Exporter{Type: ExporterOTLPHTTP, Endpoint: plainHost},
			[]string{"speaks plain text", "http://" + plainHost}},
		{"plain text at a TLS collector, HTTP",
			Exporter{Type: ExporterOTLPHTTP, Endpoint: "http://" + tlsHost},
			[]string{"expects TLS", "https://" + tlsHost}},
		{"gRPC at an HTTP/1.1 port (OTLP/HTTP's 4318)",
			Exporter{Type: ExporterOTLP, Endpoint: plain.URL},
			[]string{"answers HTTP/1.1, not gRPC", "4317", "OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf"}},
		{"connection refused",
			Exporter{Type: ExporterOTLP, Endpoint: "http://" + refused},
			[]string{"nothing listens at " + refused, "OTEL_EXPORTER_OTLP_ENDPOINT"}},
		{"wrong path, HTTP",
			Exporter{Type: ExporterOTLPHTTP, Endpoint: plain.URL + "/api/traces"},
			[]string{"HTTP 404", "/v1/traces"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			took, err := exportOnce(t, tt.exp)
			require.Error(t, err)
			t.Logf("%v after %v", err, took.Round(time.Millisecond))
			var ee *ExportError
			require.True(t, errors.As(err, &ee), "a recognised misconfiguration: %v", err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.Less(t, took, 5*time.Second, "fails within the export timeout")
		})
	}
}

// A correct plain-text endpoint exports without error: the explanation
// never replaces a success.
func TestExportToPlainCollectorSucceeds(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	_, err := exportOnce(t, Exporter{Type: ExporterOTLPHTTP, Endpoint: srv.URL})
	assert.NoError(t, err)
}

func TestExplainLeavesOtherErrorsAlone(t *testing.T) {
	err := errors.New("rpc error: code = ResourceExhausted desc = quota")
	assert.Same(t, err, traceExplainer(Exporter{Type: ExporterOTLP}).explain(err))
	assert.NoError(t, explainer{}.explain(nil))
}
