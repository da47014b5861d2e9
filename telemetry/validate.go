package telemetry

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
)

// Validate reports every problem in c, each naming its key, joined with
// [errors.Join]. Start refuses a Config that does not validate: nothing
// falls back to a default silently.
func (c Config) Validate() error {
	return errors.Join(c.problems()...)
}

// problems lists every problem in c as a keyError.
func (c Config) problems() []error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, keyErrorf(key, format, args...))
	}

	e := c.Exporter
	if !tracesSignal.accepts(e.Type) {
		bad("exporter.type", "unknown exporter %q (want %s)", e.Type, tracesSignal.want())
	}
	if err := checkEndpoint(e.Type, e.Endpoint); err != nil {
		bad("exporter.endpoint", "%w", err)
	}
	if e.Timeout <= 0 {
		bad("exporter.timeout", "must be positive, got %v", e.Timeout)
	}
	if e.Type == ExporterJaeger && len(e.Headers) > 0 {
		bad("exporter.headers", "not supported by the jaeger exporter")
	}

	b := c.Batch
	if b.MaxQueueSize <= 0 {
		bad("batch.max_queue_size", "must be positive, got %d", b.MaxQueueSize)
	}
	if b.MaxExportBatchSize <= 0 {
		bad("batch.max_export_batch_size", "must be positive, got %d", b.MaxExportBatchSize)
	} else if b.MaxQueueSize > 0 && b.MaxExportBatchSize > b.MaxQueueSize {
		bad("batch.max_export_batch_size", "%d exceeds batch.max_queue_size %d", b.MaxExportBatchSize, b.MaxQueueSize)
	}
	if b.ScheduleDelay <= 0 {
		bad("batch.schedule_delay", "must be positive, got %v", b.ScheduleDelay)
	}
	if b.ExportTimeout <= 0 {
		bad("batch.export_timeout", "must be positive, got %v", b.ExportTimeout)
	}

	m := c.Metrics
	if !metricsSignal.accepts(m.Exporter) {
		bad("metrics.exporter", "unknown exporter %q (want %s)", m.Exporter, metricsSignal.want())
	}
	if m.Exporter == ExporterOTLP || m.Exporter == ExporterOTLPHTTP {
		if err := checkEndpoint(m.Exporter, m.Endpoint); err != nil {
			bad("metrics.endpoint", "%w", err)
		}
	}
	if m.Timeout <= 0 {
		bad("metrics.timeout", "must be positive, got %v", m.Timeout)
	}
	if m.Interval <= 0 {
		bad("metrics.interval", "must be positive, got %v", m.Interval)
	}
	if m.Exporter == ExporterPrometheus {
		if err := checkListenAddress(m.PrometheusAddress); err != nil {
			bad("metrics.prometheus_address", "%w", err)
		}
	}

	checkPropagators(c.Propagators, func(i int, msg string) {
		if i < 0 {
			bad("propagators", "%s", msg)
		} else {
			bad(fmt.Sprintf("propagators[%d]", i), "%s", msg)
		}
	})

	_, ruleErrs := c.Sampling.check()
	return append(errs, ruleErrs...)
}

// checkEndpoint checks the endpoint of an exporter of type typ.
func checkEndpoint(typ, endpoint string) error {
	if endpoint == "" {
		return nil
	}
	switch typ {
	case ExporterOTLP, ExporterOTLPHTTP, ExporterJaeger:
	default:
		return nil // not used
	}
	u, err := url.Parse(endpoint)
	if err == nil && u.Scheme != "" && u.Host != "" {
		if u.Scheme != "http" && u.Scheme != "https" {
			return fmt.Errorf("%q: scheme must be http or https", endpoint)
		}
		return nil
	}
	if typ == ExporterJaeger {
		return fmt.Errorf("%q: want a URL such as http://localhost:14268/api/traces", endpoint)
	}
	if _, port, err := net.SplitHostPort(endpoint); err != nil || port == "" {
		return fmt.Errorf("%q: want host:port or a URL", endpoint)
	}
	return nil
}

// checkListenAddress checks a host:port to listen on; the host may be
// empty (every interface) and the port 0 (any free port).
func checkListenAddress(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err == nil {
		_, err = strconv.ParseUint(port, 10, 16)
	}
	if err != nil {
		return fmt.Errorf("%q: want host:port, such as %s", addr, defaultPrometheusAddress)
	}
	return nil
}
