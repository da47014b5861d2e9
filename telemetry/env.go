package telemetry

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// applyEnv overlays the OpenTelemetry environment variables on c: they win
// over the file (see the package documentation). Empty variables count as
// unset. Every invalid value is an error naming the variable.
func applyEnv(c *Config, getenv func(string) string) error {
	r := &envReader{getenv: getenv}

	// Resource.
	if v := getenv("OTEL_RESOURCE_ATTRIBUTES"); v != "" {
		attrs, err := parseKeyValues(v)
		if err != nil {
			r.bad("OTEL_RESOURCE_ATTRIBUTES", "%v", err)
		}
		c.Service.Attributes = maps.Clone(c.Service.Attributes)
		for k, val := range attrs {
			if k == "service.name" {
				c.Service.Name = val
				continue
			}
			if c.Service.Attributes == nil {
				c.Service.Attributes = make(map[string]string)
			}
			c.Service.Attributes[k] = val
		}
	}
	if _, v := r.first("OTEL_SERVICE_NAME"); v != "" {
		c.Service.Name = v
	}

	// Propagators.
	if names, err := envPropagators(getenv); err != nil {
		r.errs = append(r.errs, err)
	} else if names != nil {
		c.Propagators = names
	}

	// Span exporter.
	if typ := r.exporterType(tracesSignal, c.Exporter.Type); typ != c.Exporter.Type {
		// The file's endpoint settings belong to another exporter.
		c.Exporter = Exporter{Type: typ, Timeout: c.Exporter.Timeout}
	}
	switch c.Exporter.Type {
	case ExporterOTLP, ExporterOTLPHTTP:
		e := &c.Exporter
		r.otlp(tracesSignal, e.Type, otlpFields{&e.Endpoint, &e.Headers, &e.Insecure, &e.Timeout})
	case ExporterJaeger:
		if _, v := r.first("OTEL_EXPORTER_JAEGER_ENDPOINT"); v != "" {
			c.Exporter.Endpoint = v
		}
	}

	// Batch span processor.
	if name, v := r.first("OTEL_BSP_SCHEDULE_DELAY"); v != "" {
		setMillis(&c.Batch.ScheduleDelay, name, v, r.bad)
	}
	if name, v := r.first("OTEL_BSP_EXPORT_TIMEOUT"); v != "" {
		setMillis(&c.Batch.ExportTimeout, name, v, r.bad)
	}
	if name, v := r.first("OTEL_BSP_MAX_QUEUE_SIZE"); v != "" {
		setPositive(&c.Batch.MaxQueueSize, name, v, r.bad)
	}
	if name, v := r.first("OTEL_BSP_MAX_EXPORT_BATCH_SIZE"); v != "" {
		setPositive(&c.Batch.MaxExportBatchSize, name, v, r.bad)
	}

	r.metrics(&c.Metrics)
	return errors.Join(r.errs...)
}

// envReader reads variables and collects the problems with them.
type envReader struct {
	getenv func(string) string
	errs   []error
}

// bad records a problem with the variable name.
func (r *envReader) bad(name, format string, args ...any) {
	r.errs = append(r.errs, keyErrorf(name, format, args...))
}

// first returns the first of names that is set, and its value.
func (r *envReader) first(names ...string) (string, string) {
	for _, n := range names {
		if v := strings.TrimSpace(r.getenv(n)); v != "" {
			return n, v
		}
	}
	return "", ""
}

// exporterType applies the signal's exporter variable (OTEL_TRACES_EXPORTER
// or OTEL_METRICS_EXPORTER) to typ, then, for OTLP, the protocol variables.
func (r *envReader) exporterType(sig otelSignal, typ string) string {
	if name, v := r.first(sig.exporterVar); v != "" {
		switch {
		case v == ExporterOTLP:
			if typ != ExporterOTLPHTTP {
				typ = ExporterOTLP
			}
		case v == "console":
			typ = ExporterStdout
		case sig.accepts(v):
			typ = v
		case strings.Contains(v, ","):
			r.bad(name, "%q: only one exporter is supported", v)
		default:
			r.bad(name, "unknown exporter %q (want %s)", v, sig.want("console"))
		}
	}
	if typ == ExporterOTLP || typ == ExporterOTLPHTTP {
		switch name, v := r.first(sig.otlpVar("PROTOCOL"), "OTEL_EXPORTER_OTLP_PROTOCOL"); v {
		case "":
		case "grpc":
			typ = ExporterOTLP
		case "http/protobuf":
			typ = ExporterOTLPHTTP
		default:
			r.bad(name, "unsupported protocol %q (want grpc or http/protobuf)", v)
		}
	}
	return typ
}

// otlpFields points at the OTLP settings of one signal's exporter.
type otlpFields struct {
	endpoint *string
	headers  *map[string]string
	insecure *bool
	timeout  *time.Duration
}

// otlp applies the OTLP variables of sig, each falling back to the variable
// shared by all signals, to the exporter of type typ.
func (r *envReader) otlp(sig otelSignal, typ string, f otlpFields) {
	if _, v := r.first(sig.otlpVar("ENDPOINT")); v != "" {
		*f.endpoint = v // used as is
	} else if _, v := r.first("OTEL_EXPORTER_OTLP_ENDPOINT"); v != "" {
		if typ == ExporterOTLPHTTP {
			v = strings.TrimSuffix(v, "/") + sig.path()
		}
		*f.endpoint = v
	}
	if name, v := r.first(sig.otlpVar("HEADERS"), "OTEL_EXPORTER_OTLP_HEADERS"); v != "" {
		h, err := parseKeyValues(v)
		if err != nil {
			r.bad(name, "%v", err)
		}
		*f.headers = maps.Clone(*f.headers)
		if *f.headers == nil {
			*f.headers = make(map[string]string, len(h))
		}
		maps.Copy(*f.headers, h)
	}
	if name, v := r.first(sig.otlpVar("INSECURE"), "OTEL_EXPORTER_OTLP_INSECURE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			r.bad(name, "%q: want true or false", v)
		}
		*f.insecure = b
	}
	if name, v := r.first(sig.otlpVar("TIMEOUT"), "OTEL_EXPORTER_OTLP_TIMEOUT"); v != "" {
		setMillis(f.timeout, name, v, r.bad)
	}
}

// metrics applies the metrics variables to m.
func (r *envReader) metrics(m *Metrics) {
	if typ := r.exporterType(metricsSignal, m.Exporter); typ != m.Exporter {
		// The file's endpoint settings belong to another exporter.
		m.Exporter, m.Endpoint, m.Headers, m.Insecure = typ, "", nil, false
	}
	switch m.Exporter {
	case ExporterOTLP, ExporterOTLPHTTP:
		r.otlp(metricsSignal, m.Exporter, otlpFields{&m.Endpoint, &m.Headers, &m.Insecure, &m.Timeout})
	case ExporterPrometheus:
		r.prometheusAddress(&m.PrometheusAddress)
	}
	if name, v := r.first("OTEL_METRIC_EXPORT_INTERVAL"); v != "" {
		setMillis(&m.Interval, name, v, r.bad)
	}
}

// prometheusAddress replaces the host and the port of addr with
// OTEL_EXPORTER_PROMETHEUS_HOST and OTEL_EXPORTER_PROMETHEUS_PORT. When
// addr is not host:port and only one of them is set, addr is left for
// Validate to report.
func (r *envReader) prometheusAddress(addr *string) {
	_, host := r.first("OTEL_EXPORTER_PROMETHEUS_HOST")
	portVar, port := r.first("OTEL_EXPORTER_PROMETHEUS_PORT")
	if port != "" {
		if _, err := strconv.ParseUint(port, 10, 16); err != nil {
			r.bad(portVar, "%q: want a port number from 0 to 65535", port)
			port = ""
		}
	}
	if host == "" && port == "" {
		return
	}
	if h, p, err := net.SplitHostPort(*addr); err == nil {
		host, port = cmp.Or(host, h), cmp.Or(port, p)
	}
	if host != "" && port != "" {
		*addr = net.JoinHostPort(host, port)
	}
}

func setMillis(d *time.Duration, name, v string, bad func(string, string, ...any)) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		bad(name, "%q: want a positive number of milliseconds", v)
		return
	}
	*d = time.Duration(n) * time.Millisecond
}

func setPositive(p *int, name, v string, bad func(string, string, ...any)) {
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		bad(name, "%q: want a positive integer", v)
		return
	}
	*p = n
}

// parseKeyValues parses the k1=v1,k2=v2 lists of OTEL_RESOURCE_ATTRIBUTES
// and OTEL_EXPORTER_OTLP_HEADERS; values are percent-decoded.
func parseKeyValues(s string) (map[string]string, error) {
	out := make(map[string]string)
	for item := range strings.SplitSeq(s, ",") {
		if strings.TrimSpace(item) == "" {
			continue
		}
		k, v, ok := strings.Cut(item, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return out, fmt.Errorf("%q: want key=value", item)
		}
		dv, err := url.PathUnescape(strings.TrimSpace(v))
		if err != nil {
			return out, fmt.Errorf("%q: %w", item, err)
		}
		out[k] = dv
	}
	return out, nil
}
