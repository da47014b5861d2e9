// Package telemetry sets up OpenTelemetry tracing and metrics for a Kafka
// service in one call: [Start] builds a TracerProvider with a topic-aware
// [sampling.Sampler], a batch span processor and an exporter, and, when the
// metrics section asks for it, a MeterProvider with its exporter; it
// installs them and the configured propagator (W3C TraceContext + Baggage by
// default) as the globals, and returns the shutdown function that flushes
// both. [New] builds the same without touching the globals.
//
// # Configuration sources
//
// Start takes its configuration from the first of:
//
//  1. the YAML file named by the KAFKATRACE_CONFIG environment variable;
//  2. the YAML file given by [WithConfigFile];
//  3. the Config given by [WithConfig];
//  4. [DefaultConfig].
//
// A file is read over DefaultConfig, so absent keys keep their defaults
// (the README lists every key and default). Then the standard OpenTelemetry
// environment variables are applied over it, each replacing the setting it
// names:
//
//	OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES      service.name, service.attributes
//	OTEL_PROPAGATORS                                 propagators (tracecontext, baggage, b3, b3multi, jaeger, xray, ottrace, none)
//	OTEL_TRACES_EXPORTER                             exporter.type (otlp, console, none, jaeger, ...)
//	OTEL_EXPORTER_OTLP[_TRACES]_PROTOCOL             grpc -> otlp, http/protobuf -> otlp-http
//	OTEL_EXPORTER_OTLP[_TRACES]_ENDPOINT             exporter.endpoint (OTLP)
//	OTEL_EXPORTER_JAEGER_ENDPOINT                    exporter.endpoint (jaeger)
//	OTEL_EXPORTER_OTLP[_TRACES]_HEADERS              exporter.headers, merged key by key
//	OTEL_EXPORTER_OTLP[_TRACES]_TIMEOUT              exporter.timeout (milliseconds)
//	OTEL_EXPORTER_OTLP[_TRACES]_INSECURE             exporter.insecure
//	OTEL_BSP_SCHEDULE_DELAY, OTEL_BSP_EXPORT_TIMEOUT batch.schedule_delay, batch.export_timeout (ms)
//	OTEL_BSP_MAX_QUEUE_SIZE                          batch.max_queue_size
//	OTEL_BSP_MAX_EXPORT_BATCH_SIZE                   batch.max_export_batch_size
//	OTEL_METRICS_EXPORTER                            metrics.exporter (otlp, prometheus, console, none, ...)
//	OTEL_EXPORTER_OTLP[_METRICS]_PROTOCOL            grpc -> otlp, http/protobuf -> otlp-http
//	OTEL_EXPORTER_OTLP[_METRICS]_ENDPOINT            metrics.endpoint
//	OTEL_EXPORTER_OTLP[_METRICS]_HEADERS             metrics.headers, merged key by key
//	OTEL_EXPORTER_OTLP[_METRICS]_TIMEOUT             metrics.timeout (milliseconds)
//	OTEL_EXPORTER_OTLP[_METRICS]_INSECURE            metrics.insecure
//	OTEL_METRIC_EXPORT_INTERVAL                      metrics.interval (milliseconds)
//	OTEL_EXPORTER_PROMETHEUS_HOST, _PORT             host and port of metrics.prometheus_address
//
// So the precedence is: environment > file or WithConfig > defaults, and
// the same holds for the file path itself (KAFKATRACE_CONFIG beats
// WithConfigFile). The reason is who sets what. The file, or the Config
// built in code, ships with the service and says what it needs; the
// environment is set per deployment by the platform (a Kubernetes operator,
// a collector sidecar) through the OTEL_* variables that every
// OpenTelemetry SDK reads, and a service should go where its platform sends
// it. The topic rules have no environment variable, so the file keeps the
// last word on sampling.
//
// Details: when the environment switches the exporter type (of spans or of
// metrics), the file's endpoint, headers and insecure settings are dropped,
// since they were meant for another exporter. The OTLP variables are read
// only when an OTLP exporter is in use, the Prometheus ones only for the
// prometheus exporter. The variables without TRACES or METRICS apply to
// both signals; the signal's own variable wins over them. As for spans,
// OTEL_EXPORTER_OTLP_ENDPOINT gets /v1/metrics appended for otlp-http, and
// OTEL_EXPORTER_OTLP_METRICS_ENDPOINT is used as is. OTEL_TRACES_SAMPLER is not read: the rules decide for
// Kafka spans and ParentBased(AlwaysSample) for the rest, unless
// [WithSampler] supplies a sampler with another default. Other
// OTEL_EXPORTER_OTLP_* variables (certificates, compression) are read by the
// OTLP exporters themselves.
//
// Invalid configuration fails Start with an error naming each offending key
// or variable: unknown keys, values of the wrong type, a ratio outside 0..1,
// a bad glob or regular expression, an unknown exporter or propagator. So
// does a prometheus address already in use (metrics.prometheus_address).
// Every problem is reported at once, joined with [errors.Join], not only the
// first. Nothing falls back to a default silently.
//
// # Propagators
//
// The propagators key, or OTEL_PROPAGATORS, lists the propagators in order,
// built by go.opentelemetry.io/contrib/propagators/autoprop: tracecontext
// and baggage (the default), b3 (single header), b3multi, jaeger, xray,
// ottrace, or none. Extraction runs each in order, a context found by a
// later one replacing an earlier one's, so a consumer can continue traces
// from services that send Jaeger or B3 headers; injection writes the headers
// of every one. [Provider.Propagator] returns the result and Start installs
// it; [Propagator] reads only the environment. Kafka header keys are
// matched exactly: the B3 propagator reads x-b3-traceid and the like in
// lower case, as OpenTelemetry writes them.
//
// # Exporters
//
// otlp (gRPC, the default, localhost:4317) and otlp-http (localhost:4318)
// are the supported paths. jaeger sends Jaeger thrift over HTTP to a
// collector (http://localhost:14268/api/traces) with
// go.opentelemetry.io/otel/exporters/jaeger, which upstream deprecated and
// stopped at v1.17.0; it still builds against this SDK and is kept only as a
// legacy path for old collectors: Jaeger itself accepts OTLP since 1.35.
// stdout writes JSON for development and none exports nothing.
//
// # Metrics
//
// The metrics section (metrics.exporter, or OTEL_METRICS_EXPORTER) chooses
// the metric exporter: otlp (gRPC) and otlp-http, which push every
// metrics.interval (60s, the SDK's default) through the SDK's
// PeriodicReader with the same endpoint rules as for spans; prometheus,
// which serves /metrics on metrics.prometheus_address (127.0.0.1:9464) from
// an HTTP server of the Provider's own, with a registry of its own, closed
// by Shutdown; stdout; or none. The MeterProvider has the spans' resource.
// [Provider.MeterProvider] returns it, and Start installs it as the global
// MeterProvider, where the interceptor finds it by default.
//
// The default is none, although the OpenTelemetry specification's default
// for OTEL_METRICS_EXPORTER is otlp: metrics are opted into. Existing
// deployments keep behaving as before, and a service whose OTLP endpoint is
// a traces-only backend, such as Jaeger (which these examples use), does
// not start failing every export and its Shutdown. With none, nothing is
// built, [Provider.MeterProvider] is a no-op and Start leaves the global
// MeterProvider alone, so a MeterProvider the application installed itself
// keeps receiving the interceptor's metrics. Export failures of the OTLP
// metric exporters are explained as the span exporter's are, naming the
// metrics keys and variables, including a collector that takes no metrics.
// The reader's own bound on collecting and exporting (30s) follows
// OTEL_METRIC_EXPORT_TIMEOUT, read by the SDK.
//
// # Never blocking the hot path
//
// Spans go through the SDK's batch span processor, never in blocking mode:
// when the exporter is slow or down, spans that find the queue full are
// dropped and counted, and ending a span costs the same as ever.
// [Provider.Stats] reports the counts.
//
// # Reloading sampling rules
//
// When the configuration comes from a file, Start watches it. When its
// content changes and then stays the same for one check (checks run every
// [DefaultReloadInterval], see [WithReloadInterval]; a file caught half
// written is thus not applied), the file is read again, the environment
// applied and the whole result validated, and the sampling rules are
// swapped into the sampler atomically. Signals are process-wide, so none is
// handled unless asked for: WithReloadSignals(syscall.SIGHUP) adds a reload
// on SIGHUP. Other sections take effect at the next start. A reload
// that fails, for any key, keeps the current rules and reports the error
// through otel.Handle. The watcher polls rather than using inotify: reading
// a small file every few seconds is cheap and also sees editors that save
// by rename, Kubernetes ConfigMap symlink swaps and network file systems.
// The watcher ends with shutdown.
package telemetry // import "github.com/kafkatrace/kafkatrace/telemetry"
