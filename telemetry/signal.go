package telemetry

import (
	"slices"
	"strings"
)

// otelSignal holds what differs between the span and the metric exporter
// settings: their configuration keys, their environment variables, their
// OTLP/HTTP path and the exporter types they accept. The code that reads,
// checks and explains those settings is shared and takes one of these.
type otelSignal struct {
	name        string   // traces or metrics, as in the OTLP paths and variables
	section     string   // the configuration section: exporter or metrics
	typeField   string   // the key naming the exporter type within section
	exporterVar string   // OTEL_TRACES_EXPORTER or OTEL_METRICS_EXPORTER
	types       []string // accepted exporter types, otlp first
}

var (
	tracesSignal = otelSignal{
		name:        "traces",
		section:     "exporter",
		typeField:   "type",
		exporterVar: "OTEL_TRACES_EXPORTER",
		types:       []string{ExporterOTLP, ExporterOTLPHTTP, ExporterJaeger, ExporterStdout, ExporterNone},
	}
	metricsSignal = otelSignal{
		name:        "metrics",
		section:     "metrics",
		typeField:   "exporter",
		exporterVar: "OTEL_METRICS_EXPORTER",
		types:       []string{ExporterOTLP, ExporterOTLPHTTP, ExporterPrometheus, ExporterStdout, ExporterNone},
	}
)

// key returns the configuration key of field, such as metrics.endpoint.
func (s otelSignal) key(field string) string { return s.section + "." + field }

// typeKey is the key naming the exporter type: exporter.type or
// metrics.exporter.
func (s otelSignal) typeKey() string { return s.key(s.typeField) }

// otlpVar returns the signal's own OTLP variable for setting, such as
// OTEL_EXPORTER_OTLP_METRICS_ENDPOINT.
func (s otelSignal) otlpVar(setting string) string {
	return "OTEL_EXPORTER_OTLP_" + strings.ToUpper(s.name) + "_" + setting
}

// path is the OTLP/HTTP path of the signal, such as /v1/traces.
func (s otelSignal) path() string { return "/v1/" + s.name }

// defaultEndpoint returns the endpoint used when none is configured.
func (s otelSignal) defaultEndpoint(typ string) string {
	switch typ {
	case ExporterOTLPHTTP:
		return "http://localhost:4318" + s.path()
	case ExporterJaeger:
		return defaultJaegerEndpoint
	default:
		return defaultOTLPEndpoint
	}
}

// accepts reports whether typ is one of the signal's exporter types.
func (s otelSignal) accepts(typ string) bool { return slices.Contains(s.types, typ) }

// want lists the accepted types for an error message; extra names (such as
// the variable's console) are listed before stdout.
func (s otelSignal) want(extra ...string) string {
	var names []string
	for _, t := range s.types {
		if t == ExporterStdout {
			names = append(names, extra...)
		}
		names = append(names, t)
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
