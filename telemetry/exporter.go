package telemetry

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	//lint:ignore SA1019 the legacy Jaeger path is kept on purpose for collectors without OTLP; see doc.go
	"go.opentelemetry.io/otel/exporters/jaeger"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Default endpoints per exporter type; OTLP/HTTP's depends on the signal
// (see otelSignal.defaultEndpoint).
const (
	defaultOTLPEndpoint   = "http://localhost:4317"
	defaultJaegerEndpoint = "http://localhost:14268/api/traces"
)

// newExporter builds the exporter e names; it returns nil for none.
// Every setting is passed explicitly, so the exporters' own reading of the
// environment cannot reorder the precedence applyEnv established.
func newExporter(ctx context.Context, e Exporter, stdout io.Writer) (sdktrace.SpanExporter, error) {
	switch e.Type {
	case ExporterNone:
		return nil, nil
	case ExporterStdout:
		if stdout == nil {
			stdout = os.Stdout
		}
		return stdouttrace.New(stdouttrace.WithWriter(stdout))
	case ExporterOTLP:
		opts := []otlptracegrpc.Option{otlptracegrpc.WithTimeout(e.Timeout)}
		if isURL(e.Endpoint) || e.Endpoint == "" {
			opts = append(opts, otlptracegrpc.WithEndpointURL(orDefault(e.Endpoint, defaultOTLPEndpoint)))
		} else {
			opts = append(opts, otlptracegrpc.WithEndpoint(e.Endpoint))
			if e.Insecure {
				opts = append(opts, otlptracegrpc.WithInsecure())
			}
		}
		if len(e.Headers) > 0 {
			opts = append(opts, otlptracegrpc.WithHeaders(e.Headers))
		}
		return otlptracegrpc.New(ctx, opts...)
	case ExporterOTLPHTTP:
		opts := []otlptracehttp.Option{otlptracehttp.WithTimeout(e.Timeout)}
		if isURL(e.Endpoint) || e.Endpoint == "" {
			opts = append(opts, otlptracehttp.WithEndpointURL(withPath(orDefault(e.Endpoint, tracesSignal.defaultEndpoint(e.Type)), tracesSignal.path())))
		} else {
			opts = append(opts, otlptracehttp.WithEndpoint(e.Endpoint))
			if e.Insecure {
				opts = append(opts, otlptracehttp.WithInsecure())
			}
		}
		if len(e.Headers) > 0 {
			opts = append(opts, otlptracehttp.WithHeaders(e.Headers))
		}
		return otlptracehttp.New(ctx, opts...)
	case ExporterJaeger:
		client := &http.Client{
			Timeout:   e.Timeout,
			Transport: http.DefaultTransport.(*http.Transport).Clone(),
		}
		exp, err := jaeger.New(jaeger.WithCollectorEndpoint(
			jaeger.WithEndpoint(orDefault(e.Endpoint, defaultJaegerEndpoint)),
			jaeger.WithHTTPClient(client),
		))
		if err != nil {
			return nil, err
		}
		return jaegerExporter{exp, client}, nil
	}
	return nil, fmt.Errorf("exporter.type: unknown exporter %q", e.Type)
}

// jaegerExporter closes its own HTTP connections on shutdown, which the
// jaeger exporter does not do.
type jaegerExporter struct {
	*jaeger.Exporter
	client *http.Client
}

func (j jaegerExporter) Shutdown(ctx context.Context) error {
	err := j.Exporter.Shutdown(ctx)
	j.client.CloseIdleConnections()
	return err
}

func isURL(s string) bool { return strings.Contains(s, "://") }

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// withPath adds path (the signal's OTLP/HTTP path) to a URL that has none.
func withPath(s, path string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Path != "" && u.Path != "/") {
		return s
	}
	u.Path = path
	return u.String()
}
