package telemetry

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// applyEnv overlays the OpenTelemetry environment variables on c: they win
// over the file (see the package documentation). Empty variables count as
// unset. Every invalid value is an error naming the variable.
func applyEnv(c *Config, getenv func(string) string) error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, keyErrorf(name, format, args...))
	}
	first := func(names ...string) (string, string) {
		for _, n := range names {
			if v := strings.TrimSpace(getenv(n)); v != "" {
				return n, v
			}
		}
		return "", ""
	}

	// Resource.
	if v := getenv("OTEL_RESOURCE_ATTRIBUTES"); v != "" {
		attrs, err := parseKeyValues(v)
		if err != nil {
			bad("OTEL_RESOURCE_ATTRIBUTES", "%v", err)
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
	if _, v := first("OTEL_SERVICE_NAME"); v != "" {
		c.Service.Name = v
	}

	// Propagators.
	if names, err := envPropagators(getenv); err != nil {
		errs = append(errs, err)
	} else if names != nil {
		c.Propagators = names
	}

	// Exporter type, then the OTLP flavour.
	typ := c.Exporter.Type
	if name, v := first("OTEL_TRACES_EXPORTER"); v != "" {
		switch v {
		case "otlp":
			if typ != ExporterOTLPHTTP {
				typ = ExporterOTLP
			}
		case "console":
			typ = ExporterStdout
		case ExporterOTLPHTTP, ExporterJaeger, ExporterStdout, ExporterNone:
			typ = v
		default:
			if strings.Contains(v, ",") {
				bad(name, "%q: only one exporter is supported", v)
			} else {
				bad(name, "unknown exporter %q (want otlp, otlp-http, jaeger, console, stdout or none)", v)
			}
		}
	}
	if typ == ExporterOTLP || typ == ExporterOTLPHTTP {
		switch name, v := first("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"); v {
		case "":
		case "grpc":
			typ = ExporterOTLP
		case "http/protobuf":
			typ = ExporterOTLPHTTP
		default:
			bad(name, "unsupported protocol %q (want grpc or http/protobuf)", v)
		}
	}
	if typ != c.Exporter.Type {
		// The file's endpoint settings belong to another exporter.
		c.Exporter = Exporter{Type: typ, Timeout: c.Exporter.Timeout}
	}

	// Exporter endpoint, headers, timeout and TLS.
	switch typ {
	case ExporterOTLP, ExporterOTLPHTTP:
		if _, v := first("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"); v != "" {
			c.Exporter.Endpoint = v // used as is
		} else if _, v := first("OTEL_EXPORTER_OTLP_ENDPOINT"); v != "" {
			if typ == ExporterOTLPHTTP {
				v = strings.TrimSuffix(v, "/") + "/v1/traces"
			}
			c.Exporter.Endpoint = v
		}
		if name, v := first("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_EXPORTER_OTLP_HEADERS"); v != "" {
			h, err := parseKeyValues(v)
			if err != nil {
				bad(name, "%v", err)
			}
			c.Exporter.Headers = maps.Clone(c.Exporter.Headers)
			if c.Exporter.Headers == nil {
				c.Exporter.Headers = make(map[string]string, len(h))
			}
			maps.Copy(c.Exporter.Headers, h)
		}
		if name, v := first("OTEL_EXPORTER_OTLP_TRACES_INSECURE", "OTEL_EXPORTER_OTLP_INSECURE"); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				bad(name, "%q: want true or false", v)
			}
			c.Exporter.Insecure = b
		}
		if name, v := first("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT"); v != "" {
			setMillis(&c.Exporter.Timeout, name, v, bad)
		}
	case ExporterJaeger:
		if _, v := first("OTEL_EXPORTER_JAEGER_ENDPOINT"); v != "" {
			c.Exporter.Endpoint = v
		}
	}

	// Batch span processor.
	if name, v := first("OTEL_BSP_SCHEDULE_DELAY"); v != "" {
		setMillis(&c.Batch.ScheduleDelay, name, v, bad)
	}
	if name, v := first("OTEL_BSP_EXPORT_TIMEOUT"); v != "" {
		setMillis(&c.Batch.ExportTimeout, name, v, bad)
	}
	if name, v := first("OTEL_BSP_MAX_QUEUE_SIZE"); v != "" {
		setPositive(&c.Batch.MaxQueueSize, name, v, bad)
	}
	if name, v := first("OTEL_BSP_MAX_EXPORT_BATCH_SIZE"); v != "" {
		setPositive(&c.Batch.MaxExportBatchSize, name, v, bad)
	}
	return errors.Join(errs...)
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
