package telemetry

import (
	"errors"
	"fmt"
	"net"
	"net/url"
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
	switch e.Type {
	case ExporterOTLP, ExporterOTLPHTTP, ExporterJaeger, ExporterStdout, ExporterNone:
	default:
		bad("exporter.type", "unknown exporter %q (want otlp, otlp-http, jaeger, stdout or none)", e.Type)
	}
	if err := checkEndpoint(e); err != nil {
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

func checkEndpoint(e Exporter) error {
	if e.Endpoint == "" {
		return nil
	}
	switch e.Type {
	case ExporterOTLP, ExporterOTLPHTTP, ExporterJaeger:
	default:
		return nil // not used
	}
	u, err := url.Parse(e.Endpoint)
	if err == nil && u.Scheme != "" && u.Host != "" {
		if u.Scheme != "http" && u.Scheme != "https" {
			return fmt.Errorf("%q: scheme must be http or https", e.Endpoint)
		}
		return nil
	}
	if e.Type == ExporterJaeger {
		return fmt.Errorf("%q: want a URL such as http://localhost:14268/api/traces", e.Endpoint)
	}
	if _, port, err := net.SplitHostPort(e.Endpoint); err != nil || port == "" {
		return fmt.Errorf("%q: want host:port or a URL", e.Endpoint)
	}
	return nil
}
