package telemetry

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"syscall"
)

// explainer turns the classic exporter misconfigurations into one error
// that says what to change. The SDK reports export errors through
// otel.Handle and the Provider's Shutdown returns them, so the explanation
// reaches the user both ways. The span and the metric exporter share it;
// sig supplies the keys and variables to name.
type explainer struct {
	typ      string // the exporter type
	endpoint string // as configured; empty means the type's default
	sig      otelSignal
}

func traceExplainer(e Exporter) explainer {
	return explainer{typ: e.Type, endpoint: e.Endpoint, sig: tracesSignal}
}

func metricExplainer(m Metrics) explainer {
	return explainer{typ: m.Exporter, endpoint: m.Endpoint, sig: metricsSignal}
}

// endpointVars names where the endpoint is set: for spans the variable
// shared by all signals, which is the one usually set, for metrics their own.
func (x explainer) endpointVars() string {
	v := "OTEL_EXPORTER_OTLP_ENDPOINT"
	switch {
	case x.typ == ExporterJaeger:
		v = "OTEL_EXPORTER_JAEGER_ENDPOINT"
	case x.sig.name != tracesSignal.name:
		v = x.sig.otlpVar("ENDPOINT")
	}
	return v + " (or " + x.sig.key("endpoint") + ")"
}

// insecureSetting names the insecure flag set to v: its variable (the one
// shared by all signals for spans, the signal's own for metrics) and its key.
func (x explainer) insecureSetting(v bool) string {
	name := "OTEL_EXPORTER_OTLP_INSECURE"
	if x.sig.name != tracesSignal.name {
		name = x.sig.otlpVar("INSECURE")
	}
	return fmt.Sprintf("%s=%t (or %s: %t)", name, v, x.sig.key("insecure"), v)
}

// host is the endpoint without scheme and path.
func (x explainer) host() string {
	ep := orDefault(x.endpoint, x.sig.defaultEndpoint(x.typ))
	if u, err := url.Parse(ep); err == nil && u.Host != "" {
		return u.Host
	}
	return ep
}

// schemeless reports whether the endpoint is host:port, which OTLP takes
// to mean TLS unless insecure is set (the OTLP specification's and
// otel-go's rule).
func (x explainer) schemeless() bool {
	return x.endpoint != "" && !isURL(x.endpoint)
}

// standardPath reports whether an OTLP/HTTP export goes to the signal's
// standard path, such as /v1/metrics.
func (x explainer) standardPath() bool {
	if x.schemeless() {
		return true // host:port: the exporter uses the standard path
	}
	u, err := url.Parse(withPath(orDefault(x.endpoint, x.sig.defaultEndpoint(x.typ)), x.sig.path()))
	return err == nil && u.Path == x.sig.path()
}

// explain returns err with the fix in front when it recognises the failure,
// else err unchanged.
func (x explainer) explain(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	host := x.host()
	var hint string
	switch {
	case strings.Contains(msg, "first record does not look like a TLS handshake"),
		strings.Contains(msg, "server gave HTTP response to HTTPS client"):
		if x.schemeless() {
			hint = fmt.Sprintf("the collector at %s speaks plain text, but an endpoint without a scheme means TLS: "+
				"set %s to http://%s, or %s", host, x.endpointVars(), host, x.insecureSetting(true))
		} else {
			hint = fmt.Sprintf("the collector at %s speaks plain text, but the endpoint asks for TLS (https): "+
				"set %s to http://%s", host, x.endpointVars(), host)
		}
	case x.typ == ExporterOTLP && strings.Contains(msg, "looked like an HTTP/1.1 header"):
		hint = fmt.Sprintf("the collector at %s answers HTTP/1.1, not gRPC: it is likely the OTLP/HTTP port (4318); "+
			"point %s at the OTLP/gRPC port (4317), or set %s: %s (OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf)",
			host, x.endpointVars(), x.sig.typeKey(), ExporterOTLPHTTP)
	case strings.Contains(msg, "Client sent an HTTP request to an HTTPS server"),
		strings.Contains(msg, "error reading server preface"),
		strings.Contains(msg, "connection closed before server preface received"),
		strings.Contains(msg, "malformed HTTP response"):
		if x.schemeless() { // host:port made plain by the insecure setting
			hint = fmt.Sprintf("the collector at %s expects TLS, but the insecure setting asks for plain text: "+
				"set %s, or set %s to https://%s", host, x.insecureSetting(false), x.endpointVars(), host)
		} else {
			hint = fmt.Sprintf("the collector at %s expects TLS, but the endpoint asks for plain text (http): "+
				"set %s to https://%s", host, x.endpointVars(), host)
		}
	case errors.Is(err, syscall.ECONNREFUSED), strings.Contains(msg, "connection refused"):
		hint = fmt.Sprintf("nothing listens at %s (connection refused): start the collector, "+
			"or point %s at it", host, x.endpointVars())
	case strings.Contains(msg, "unknown service opentelemetry.proto.collector."),
		x.typ == ExporterOTLPHTTP && x.standardPath() && (strings.Contains(msg, "404") || strings.Contains(msg, "Not Found")):
		hint = fmt.Sprintf("the collector at %s does not accept OTLP %s (a backend such as Jaeger takes traces only): "+
			"point %s at one that does, such as an OpenTelemetry Collector, or set %s: none (%s=none)",
			host, x.sig.name, x.endpointVars(), x.sig.typeKey(), x.sig.exporterVar)
	case x.typ == ExporterOTLPHTTP && (strings.Contains(msg, "404") || strings.Contains(msg, "Not Found")):
		hint = fmt.Sprintf("the collector at %s has no OTLP %s endpoint at that path (HTTP 404): "+
			"OTLP/HTTP %s go to %s; give %s without a path and it is added",
			host, x.sig.name, x.sig.name, x.sig.path(), x.endpointVars())
	default:
		return err
	}
	return &ExportError{Hint: hint, Err: err}
}

// ExportError is an export failure kafkatrace recognised, with the setting
// to change. It reaches otel.Handle (from the batch span processor or the
// periodic metric reader) and the error of Provider.Shutdown.
type ExportError struct {
	Hint string // what is wrong and which key or variable fixes it
	Err  error  // the exporter's error
}

// Error puts the hint first.
func (e *ExportError) Error() string { return "telemetry: " + e.Hint + " (" + e.Err.Error() + ")" }

// Unwrap returns the exporter's error.
func (e *ExportError) Unwrap() error { return e.Err }
