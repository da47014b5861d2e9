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
// reaches the user both ways.
type explainer struct {
	e Exporter
}

// endpointVars names where the endpoint of e's type is set.
func (x explainer) endpointVars() string {
	switch x.e.Type {
	case ExporterJaeger:
		return "OTEL_EXPORTER_JAEGER_ENDPOINT (or exporter.endpoint)"
	default:
		return "OTEL_EXPORTER_OTLP_ENDPOINT (or exporter.endpoint)"
	}
}

// host is the endpoint without scheme and path.
func (x explainer) host() string {
	ep := x.e.Endpoint
	if ep == "" {
		switch x.e.Type {
		case ExporterOTLPHTTP:
			ep = defaultOTLPHTTPEndpoint
		case ExporterJaeger:
			ep = defaultJaegerEndpoint
		default:
			ep = defaultOTLPEndpoint
		}
	}
	if u, err := url.Parse(ep); err == nil && u.Host != "" {
		return u.Host
	}
	return ep
}

// schemeless reports whether the endpoint is host:port, which OTLP takes
// to mean TLS unless exporter.insecure is set (the OTLP specification's and
// otel-go's rule).
func (x explainer) schemeless() bool {
	return x.e.Endpoint != "" && !isURL(x.e.Endpoint)
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
				"set %s to http://%s, or exporter.insecure: true", host, x.endpointVars(), host)
		} else {
			hint = fmt.Sprintf("the collector at %s speaks plain text, but the endpoint asks for TLS (https): "+
				"set %s to http://%s", host, x.endpointVars(), host)
		}
	case strings.Contains(msg, "Client sent an HTTP request to an HTTPS server"),
		strings.Contains(msg, "error reading server preface"),
		strings.Contains(msg, "connection closed before server preface received"),
		strings.Contains(msg, "malformed HTTP response"):
		hint = fmt.Sprintf("the collector at %s expects TLS, but the endpoint asks for plain text: "+
			"set %s to https://%s (and exporter.insecure: false)", host, x.endpointVars(), host)
	case errors.Is(err, syscall.ECONNREFUSED), strings.Contains(msg, "connection refused"):
		hint = fmt.Sprintf("nothing listens at %s (connection refused): start the collector, "+
			"or point %s at it", host, x.endpointVars())
	case x.e.Type == ExporterOTLPHTTP && (strings.Contains(msg, "404") || strings.Contains(msg, "Not Found")):
		hint = fmt.Sprintf("the collector at %s has no OTLP traces endpoint at that path (HTTP 404): "+
			"OTLP/HTTP traces go to /v1/traces; give %s without a path and it is added", host, x.endpointVars())
	default:
		return err
	}
	return &ExportError{Hint: hint, Err: err}
}

// ExportError is an export failure kafkatrace recognised, with the setting
// to change. It reaches otel.Handle (from the batch span processor) and the
// error of Provider.Shutdown.
type ExportError struct {
	Hint string // what is wrong and which key or variable fixes it
	Err  error  // the exporter's error
}

// Error puts the hint first.
func (e *ExportError) Error() string { return "telemetry: " + e.Hint + " (" + e.Err.Error() + ")" }

// Unwrap returns the exporter's error.
func (e *ExportError) Unwrap() error { return e.Err }
