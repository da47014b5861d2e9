package telemetry

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMetricsDefaults(t *testing.T) {
	assert.Equal(t, Metrics{
		Exporter:          ExporterNone,
		Timeout:           10 * time.Second,
		Interval:          60 * time.Second,
		PrometheusAddress: "127.0.0.1:9464",
	}, DefaultConfig().Metrics)

	cfg, err := parseConfig([]byte("metrics: {exporter: otlp-http}\n"))
	require.NoError(t, err)
	want := DefaultConfig().Metrics
	want.Exporter = ExporterOTLPHTTP
	assert.Equal(t, want, cfg.Metrics, "absent keys keep their defaults")
	assert.Equal(t, DefaultConfig().Exporter, cfg.Exporter, "the span exporter is another section")
}

func TestMetricsFromFile(t *testing.T) {
	cfg, err := parseConfig([]byte(`
metrics:
  exporter: otlp
  endpoint: "collector:4317"
  insecure: true
  timeout: 3s
  headers: {x-tenant: acme}
  interval: 15s
  prometheus_address: "0.0.0.0:9000"
`))
	require.NoError(t, err)
	assert.Equal(t, Metrics{
		Exporter:          ExporterOTLP,
		Endpoint:          "collector:4317",
		Insecure:          true,
		Timeout:           3 * time.Second,
		Headers:           map[string]string{"x-tenant": "acme"},
		Interval:          15 * time.Second,
		PrometheusAddress: "0.0.0.0:9000",
	}, cfg.Metrics)
	assert.NoError(t, cfg.Validate())
}

func TestMetricsEnvOverridesFile(t *testing.T) {
	cfg, err := parseConfig([]byte(`
exporter: {type: otlp, endpoint: "traces-file:4317"}
metrics: {exporter: otlp, endpoint: "file:4317", insecure: true, timeout: 10s, headers: {x-file: "1", x-both: file}, interval: 30s}
`))
	require.NoError(t, err)
	require.NoError(t, applyEnv(&cfg, envOf(map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT":         "http://generic:4317",
		"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": "https://metrics:4317",
		"OTEL_EXPORTER_OTLP_HEADERS":          "x-both=generic,x-generic=1",
		"OTEL_EXPORTER_OTLP_METRICS_HEADERS":  "x-both=env,x-env=2",
		"OTEL_EXPORTER_OTLP_INSECURE":         "true",
		"OTEL_EXPORTER_OTLP_METRICS_INSECURE": "false",
		"OTEL_EXPORTER_OTLP_TIMEOUT":          "9000",
		"OTEL_EXPORTER_OTLP_METRICS_TIMEOUT":  "1500",
		"OTEL_METRIC_EXPORT_INTERVAL":         "250",
		"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT":  "http://traces:4317",
		"OTEL_EXPORTER_OTLP_TRACES_HEADERS":   "x-traces=1",
		"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT":   "7000",
		"OTEL_EXPORTER_PROMETHEUS_PORT":       "9999", // read only for prometheus
		"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL":  "http/protobuf",
		"OTEL_EXPORTER_OTLP_METRICS_PROTOCOL": "grpc",
	})))
	assert.Equal(t, Metrics{
		Exporter:          ExporterOTLP,
		Endpoint:          "https://metrics:4317", // the signal's own variable wins
		Insecure:          false,
		Timeout:           1500 * time.Millisecond,
		Headers:           map[string]string{"x-file": "1", "x-both": "env", "x-env": "2"},
		Interval:          250 * time.Millisecond,
		PrometheusAddress: "127.0.0.1:9464",
	}, cfg.Metrics)
	assert.Equal(t, Exporter{
		Type:     ExporterOTLPHTTP,
		Endpoint: "http://traces:4317",
		Insecure: true,
		Timeout:  7 * time.Second,
		Headers:  map[string]string{"x-traces": "1"}, // the signal's own variable replaces the shared one
	}, cfg.Exporter, "the traces variables apply to spans only")
}

func TestMetricsEnvFallsBackToTheSharedVariables(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Metrics.Exporter = ExporterOTLP
	require.NoError(t, applyEnv(&cfg, envOf(map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4317",
		"OTEL_EXPORTER_OTLP_HEADERS":  "a=1",
		"OTEL_EXPORTER_OTLP_INSECURE": "true",
		"OTEL_EXPORTER_OTLP_TIMEOUT":  "2000",
	})))
	assert.Equal(t, Metrics{
		Exporter:          ExporterOTLP,
		Endpoint:          "collector:4317",
		Insecure:          true,
		Timeout:           2 * time.Second,
		Headers:           map[string]string{"a": "1"},
		Interval:          time.Minute,
		PrometheusAddress: "127.0.0.1:9464",
	}, cfg.Metrics)
}

func TestMetricsEnvExporterSelection(t *testing.T) {
	tests := []struct {
		name     string
		fileType string
		env      map[string]string
		wantType string
		wantEP   string
	}{
		{"unset keeps the file's", ExporterOTLPHTTP, nil, ExporterOTLPHTTP, "file:1"},
		{"traces variables do not choose", ExporterNone, map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, ExporterNone, "file:1"},
		{"otlp", ExporterNone, map[string]string{"OTEL_METRICS_EXPORTER": "otlp"}, ExporterOTLP, ""},
		{"otlp keeps the http flavour", ExporterOTLPHTTP, map[string]string{"OTEL_METRICS_EXPORTER": "otlp"}, ExporterOTLPHTTP, "file:1"},
		{"otlp-http", ExporterOTLP, map[string]string{"OTEL_METRICS_EXPORTER": "otlp-http"}, ExporterOTLPHTTP, ""},
		{"prometheus", ExporterOTLP, map[string]string{"OTEL_METRICS_EXPORTER": "prometheus"}, ExporterPrometheus, ""},
		{"console", ExporterOTLP, map[string]string{"OTEL_METRICS_EXPORTER": "console"}, ExporterStdout, ""},
		{"stdout", ExporterOTLP, map[string]string{"OTEL_METRICS_EXPORTER": "stdout"}, ExporterStdout, ""},
		{"none", ExporterOTLP, map[string]string{"OTEL_METRICS_EXPORTER": "none"}, ExporterNone, ""},
		{"protocol http", ExporterOTLP, map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"}, ExporterOTLPHTTP, ""},
		{"metrics protocol wins", ExporterOTLP, map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf", "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL": "grpc"}, ExporterOTLP, "file:1"},
		{"traces protocol is not for metrics", ExporterOTLP, map[string]string{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/protobuf"}, ExporterOTLP, "file:1"},
		{"otlp with protocol", ExporterNone, map[string]string{"OTEL_METRICS_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL": "http/protobuf"}, ExporterOTLPHTTP, ""},
		{"protocol ignored for prometheus", ExporterPrometheus, map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, ExporterPrometheus, "file:1"},
		{"http base endpoint gets the path", ExporterOTLPHTTP, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318/"}, ExporterOTLPHTTP, "http://c:4318/v1/metrics"},
		{"grpc base endpoint as is", ExporterOTLP, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4317"}, ExporterOTLP, "http://c:4317"},
		{"metrics endpoint as is", ExporterOTLPHTTP, map[string]string{"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": "http://c:4318/custom"}, ExporterOTLPHTTP, "http://c:4318/custom"},
		{"endpoint ignored for none", ExporterNone, map[string]string{"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": "http://c:4318"}, ExporterNone, "file:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Metrics.Exporter, cfg.Metrics.Endpoint = tt.fileType, "file:1"
			cfg.Metrics.Headers, cfg.Metrics.Insecure = map[string]string{"a": "b"}, true
			require.NoError(t, applyEnv(&cfg, envOf(tt.env)))
			assert.Equal(t, tt.wantType, cfg.Metrics.Exporter)
			assert.Equal(t, tt.wantEP, cfg.Metrics.Endpoint)
			if tt.wantType != tt.fileType {
				assert.Nil(t, cfg.Metrics.Headers, "the file's settings were for another exporter")
				assert.False(t, cfg.Metrics.Insecure)
			}
			assert.Equal(t, 10*time.Second, cfg.Metrics.Timeout, "kept")
		})
	}
}

func TestMetricsEnvPrometheusAddress(t *testing.T) {
	tests := []struct {
		name, file string
		env        map[string]string
		want       string
	}{
		{"unset", "0.0.0.0:9000", nil, "0.0.0.0:9000"},
		{"host", "0.0.0.0:9000", map[string]string{"OTEL_EXPORTER_PROMETHEUS_HOST": "10.0.0.1"}, "10.0.0.1:9000"},
		{"port", "0.0.0.0:9000", map[string]string{"OTEL_EXPORTER_PROMETHEUS_PORT": "9100"}, "0.0.0.0:9100"},
		{"both", "0.0.0.0:9000", map[string]string{"OTEL_EXPORTER_PROMETHEUS_HOST": "::1", "OTEL_EXPORTER_PROMETHEUS_PORT": "0"}, "[::1]:0"},
		{"both replace a bad address", "nonsense", map[string]string{"OTEL_EXPORTER_PROMETHEUS_HOST": "localhost", "OTEL_EXPORTER_PROMETHEUS_PORT": "9464"}, "localhost:9464"},
		{"one leaves a bad address to Validate", "nonsense", map[string]string{"OTEL_EXPORTER_PROMETHEUS_PORT": "9464"}, "nonsense"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Metrics.Exporter, cfg.Metrics.PrometheusAddress = ExporterPrometheus, tt.file
			require.NoError(t, applyEnv(&cfg, envOf(tt.env)))
			assert.Equal(t, tt.want, cfg.Metrics.PrometheusAddress)
		})
	}

	// Also when OTEL_METRICS_EXPORTER chooses prometheus; not for other exporters.
	cfg := DefaultConfig()
	require.NoError(t, applyEnv(&cfg, envOf(map[string]string{"OTEL_METRICS_EXPORTER": "prometheus", "OTEL_EXPORTER_PROMETHEUS_PORT": "9100"})))
	assert.Equal(t, "127.0.0.1:9100", cfg.Metrics.PrometheusAddress)
	cfg = DefaultConfig()
	require.NoError(t, applyEnv(&cfg, envOf(map[string]string{"OTEL_EXPORTER_PROMETHEUS_PORT": "x"})))
	assert.Equal(t, "127.0.0.1:9464", cfg.Metrics.PrometheusAddress)
}

func TestMetricsEnvErrorsNameTheVariable(t *testing.T) {
	prom := map[string]string{"OTEL_METRICS_EXPORTER": "prometheus"}
	otlp := map[string]string{"OTEL_METRICS_EXPORTER": "otlp"}
	tests := []struct {
		name, value string
		with        map[string]string // further variables that make it apply
		want        string
	}{
		{"OTEL_METRICS_EXPORTER", "jaeger", nil, `unknown exporter "jaeger" (want otlp, otlp-http, prometheus, console, stdout or none)`},
		{"OTEL_METRICS_EXPORTER", "otlp,prometheus", nil, "only one exporter is supported"},
		{"OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "http/json", otlp, `unsupported protocol "http/json"`},
		{"OTEL_EXPORTER_OTLP_METRICS_TIMEOUT", "10s", otlp, "want a positive number of milliseconds"},
		{"OTEL_EXPORTER_OTLP_METRICS_INSECURE", "maybe", otlp, "want true or false"},
		{"OTEL_EXPORTER_OTLP_METRICS_HEADERS", "novalue", otlp, "want key=value"},
		{"OTEL_METRIC_EXPORT_INTERVAL", "0", nil, "want a positive number of milliseconds"},
		{"OTEL_EXPORTER_PROMETHEUS_PORT", "70000", prom, "want a port number from 0 to 65535"},
	}
	for _, tt := range tests {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			env := map[string]string{tt.name: tt.value}
			for k, v := range tt.with {
				env[k] = v
			}
			cfg := DefaultConfig()
			err := applyEnv(&cfg, envOf(env))
			assert.ErrorContains(t, err, tt.name+": ")
			assert.ErrorContains(t, err, tt.want)

			for k, v := range env {
				t.Setenv(k, v)
			}
			shutdown, err := Start(context.Background(), WithConfig(noneConfig()))
			assert.ErrorContains(t, err, tt.name+": ", "Start reports it too")
			if shutdown != nil {
				_ = shutdown(context.Background())
			}
		})
	}
}

func TestMetricsValidate(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{"unknown exporter", "metrics: {exporter: jaeger}\n", `metrics.exporter: unknown exporter "jaeger" (want otlp, otlp-http, prometheus, stdout or none)`},
		{"bad endpoint", "metrics: {exporter: otlp, endpoint: localhost}\n", `metrics.endpoint: "localhost": want host:port or a URL`},
		{"bad scheme", "metrics: {exporter: otlp-http, endpoint: 'ftp://x:1'}\n", `metrics.endpoint: "ftp://x:1": scheme must be http or https`},
		{"timeout", "metrics: {timeout: 0s}\n", "metrics.timeout: must be positive, got 0s"},
		{"interval", "metrics: {interval: -1s}\n", "metrics.interval: must be positive, got -1s"},
		{"prometheus address", "metrics: {exporter: prometheus, prometheus_address: 'localhost'}\n", `metrics.prometheus_address: "localhost": want host:port, such as 127.0.0.1:9464`},
		{"prometheus port", "metrics: {exporter: prometheus, prometheus_address: ':http'}\n", `metrics.prometheus_address: ":http": want host:port`},
		{"prometheus exporter with the span key", "exporter: {type: prometheus}\n", `exporter.type: unknown exporter "prometheus" (want otlp, otlp-http, jaeger, stdout or none)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseConfig([]byte(tt.yaml))
			require.NoError(t, err)
			assert.ErrorContains(t, cfg.Validate(), tt.want)

			path := newConfigFile(t, tt.yaml)
			shutdown, err := Start(context.Background(), WithConfigFile(path))
			assert.Nil(t, shutdown)
			assert.ErrorContains(t, err, tt.want)
			assert.ErrorContains(t, err, path)
		})
	}

	// Unused settings are not checked, as for spans.
	cfg := DefaultConfig()
	cfg.Metrics.Endpoint, cfg.Metrics.PrometheusAddress = "localhost", "nonsense"
	assert.NoError(t, cfg.Validate())
}
