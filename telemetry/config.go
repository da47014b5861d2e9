package telemetry

import "time"

// Exporter types accepted by Exporter.Type and, but for jaeger, by
// Metrics.Exporter.
const (
	ExporterOTLP     = "otlp"      // OTLP over gRPC; the default for spans
	ExporterOTLPHTTP = "otlp-http" // OTLP over HTTP with protobuf bodies
	ExporterJaeger   = "jaeger"    // legacy: Jaeger thrift over HTTP to a collector; spans only
	ExporterStdout   = "stdout"    // JSON lines on standard output, for development
	ExporterNone     = "none"      // spans are sampled and recorded but not exported; no metrics
	// ExporterPrometheus serves metrics for scraping; metrics only.
	ExporterPrometheus = "prometheus"
)

// Config is the whole telemetry configuration. Its YAML form is the config
// file; the README lists every key. Start from [DefaultConfig]: a Config is
// used as given, and zero values are validated, not replaced by defaults.
type Config struct {
	Service  Service  `yaml:"service"`
	Exporter Exporter `yaml:"exporter"`
	Batch    Batch    `yaml:"batch"`
	Metrics  Metrics  `yaml:"metrics"`
	Sampling Sampling `yaml:"sampling"`
	// Propagators name the context propagators, in order: tracecontext,
	// baggage, b3 (single header), b3multi, jaeger, xray, ottrace, or none
	// alone; names registered with autoprop.RegisterTextMapPropagator work
	// too. OTEL_PROPAGATORS replaces the list. It must not be empty.
	Propagators []string `yaml:"propagators"`
}

// Service describes the resource the spans come from.
type Service struct {
	// Name is the service.name resource attribute. Empty means
	// unknown_service:<executable name>. It wins over a service.name in
	// Attributes.
	Name string `yaml:"name"`
	// Attributes are further resource attributes, such as
	// deployment.environment.name.
	Attributes map[string]string `yaml:"attributes"`
}

// Exporter says where spans go.
type Exporter struct {
	// Type is one of otlp, otlp-http, jaeger, stdout or none.
	Type string `yaml:"type"`
	// Endpoint is host:port or a URL; empty means the type's default
	// (http://localhost:4317, http://localhost:4318/v1/traces,
	// http://localhost:14268/api/traces). With a URL the scheme decides
	// whether TLS is used. Ignored by stdout and none.
	Endpoint string `yaml:"endpoint"`
	// Insecure disables TLS for a host:port Endpoint of the OTLP exporters.
	Insecure bool `yaml:"insecure"`
	// Timeout bounds one export request.
	Timeout time.Duration `yaml:"timeout"`
	// Headers are sent with every OTLP export request.
	Headers map[string]string `yaml:"headers"`
}

// Batch configures the SDK's batch span processor.
type Batch struct {
	// MaxQueueSize is how many ended spans may be waiting for export or
	// being exported; spans ending while it is full are dropped and counted
	// (see [Provider.Stats]), never waited for.
	MaxQueueSize int `yaml:"max_queue_size"`
	// MaxExportBatchSize is the most spans sent in one export request. It
	// must not exceed MaxQueueSize.
	MaxExportBatchSize int `yaml:"max_export_batch_size"`
	// ScheduleDelay is the longest a span waits for its batch to fill.
	ScheduleDelay time.Duration `yaml:"schedule_delay"`
	// ExportTimeout bounds one export, retries included.
	ExportTimeout time.Duration `yaml:"export_timeout"`
}

// Metrics says where metrics go. The OTLP settings mean what they mean in
// [Exporter], for the metrics exporter alone.
type Metrics struct {
	// Exporter is one of otlp, otlp-http, prometheus, stdout or none (the
	// default: no MeterProvider is built or installed).
	Exporter string `yaml:"exporter"`
	// Endpoint is host:port or a URL; empty means the type's default
	// (http://localhost:4317, http://localhost:4318/v1/metrics). With a URL
	// the scheme decides whether TLS is used. Used by otlp and otlp-http.
	Endpoint string `yaml:"endpoint"`
	// Insecure disables TLS for a host:port Endpoint.
	Insecure bool `yaml:"insecure"`
	// Timeout bounds one OTLP export request.
	Timeout time.Duration `yaml:"timeout"`
	// Headers are sent with every OTLP export request.
	Headers map[string]string `yaml:"headers"`
	// Interval is the time between two exports of the push exporters
	// (otlp, otlp-http, stdout).
	Interval time.Duration `yaml:"interval"`
	// PrometheusAddress is the host:port the prometheus exporter serves
	// /metrics on.
	PrometheusAddress string `yaml:"prometheus_address"`
}

// Sampling holds the topic rules of [sampling.Compile]. It is the part of
// the file that is reloaded at run time.
type Sampling struct {
	// DefaultRatio applies to Kafka spans whose topic no rule matches.
	DefaultRatio float64 `yaml:"default_ratio"`
	// Rules are tried in order; the first rule matching a topic applies.
	Rules []Rule `yaml:"rules"`
}

// Rule is the configuration form of [sampling.Rule].
type Rule struct {
	// Topic is a topic name, glob or regular expression, as Match says.
	Topic string `yaml:"topic" required:"true"`
	// Match is exact (the default), glob or regex.
	Match string `yaml:"match"`
	// Ratio is the fraction of traces sampled, from 0 to 1. It is required
	// in the file, so that a forgotten ratio does not silently mean 0.
	Ratio float64 `yaml:"ratio" required:"true"`
	// Parent is respect (the default) or override.
	Parent string `yaml:"parent"`
	// Untrusted marks the topic for the interceptor's topic policy.
	Untrusted bool `yaml:"untrusted"`
}

// DefaultConfig returns the configuration used when no file is given: spans
// over OTLP/gRPC to localhost:4317, the SDK's batch defaults, no metrics
// exporter, every trace sampled, and W3C TraceContext and Baggage
// propagation.
func DefaultConfig() Config {
	return Config{
		Exporter: Exporter{
			Type:    ExporterOTLP,
			Timeout: 10 * time.Second,
		},
		Batch: Batch{
			MaxQueueSize:       2048,
			MaxExportBatchSize: 512,
			ScheduleDelay:      5 * time.Second,
			ExportTimeout:      30 * time.Second,
		},
		Metrics: Metrics{
			Exporter:          ExporterNone,
			Timeout:           10 * time.Second,
			Interval:          60 * time.Second,
			PrometheusAddress: defaultPrometheusAddress,
		},
		Sampling:    Sampling{DefaultRatio: 1},
		Propagators: []string{"tracecontext", "baggage"},
	}
}
