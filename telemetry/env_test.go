package telemetry

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
)

func envOf(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestEnvOverridesFile(t *testing.T) {
	cfg, err := parseConfig([]byte(`
service: {name: from-file, attributes: {team: a, region: eu}}
exporter: {type: otlp, endpoint: "file:4317", insecure: true, timeout: 10s, headers: {x-file: "1", x-both: file}}
batch: {max_queue_size: 100, max_export_batch_size: 10, schedule_delay: 1s, export_timeout: 2s}
`))
	require.NoError(t, err)
	require.NoError(t, applyEnv(&cfg, envOf(map[string]string{
		"OTEL_SERVICE_NAME":                  "from-env",
		"OTEL_RESOURCE_ATTRIBUTES":           "region=us,tier=web%20front",
		"OTEL_EXPORTER_OTLP_ENDPOINT":        "http://generic:4317",
		"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "https://traces:4317",
		"OTEL_EXPORTER_OTLP_HEADERS":         "x-both=env,x-env=2",
		"OTEL_EXPORTER_OTLP_TIMEOUT":         "1500",
		"OTEL_EXPORTER_OTLP_INSECURE":        "false",
		"OTEL_BSP_SCHEDULE_DELAY":            "250",
		"OTEL_BSP_EXPORT_TIMEOUT":            "750",
		"OTEL_BSP_MAX_QUEUE_SIZE":            "4096",
		"OTEL_BSP_MAX_EXPORT_BATCH_SIZE":     "256",
	})))
	assert.Equal(t, Service{Name: "from-env", Attributes: map[string]string{"team": "a", "region": "us", "tier": "web front"}}, cfg.Service)
	assert.Equal(t, Exporter{
		Type:     ExporterOTLP,
		Endpoint: "https://traces:4317", // the signal-specific variable wins
		Insecure: false,
		Timeout:  1500 * time.Millisecond,
		Headers:  map[string]string{"x-file": "1", "x-both": "env", "x-env": "2"},
	}, cfg.Exporter)
	assert.Equal(t, Batch{MaxQueueSize: 4096, MaxExportBatchSize: 256, ScheduleDelay: 250 * time.Millisecond, ExportTimeout: 750 * time.Millisecond}, cfg.Batch)
}

func TestEnvLeavesUnsetKeysAlone(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Service.Attributes = map[string]string{"a": "b"}
	before := cfg
	require.NoError(t, applyEnv(&cfg, envOf(map[string]string{"OTEL_SERVICE_NAME": "   "})))
	assert.Equal(t, before, cfg)
}

func TestEnvDoesNotMutateTheCallersMaps(t *testing.T) {
	cfg := DefaultConfig()
	attrs, headers := map[string]string{"a": "1"}, map[string]string{"h": "1"}
	cfg.Service.Attributes, cfg.Exporter.Headers = attrs, headers
	require.NoError(t, applyEnv(&cfg, envOf(map[string]string{
		"OTEL_RESOURCE_ATTRIBUTES":   "a=2",
		"OTEL_EXPORTER_OTLP_HEADERS": "h=2",
	})))
	assert.Equal(t, map[string]string{"a": "1"}, attrs)
	assert.Equal(t, map[string]string{"h": "1"}, headers)
}

func TestEnvExporterSelection(t *testing.T) {
	tests := []struct {
		name     string
		fileType string
		env      map[string]string
		wantType string
		wantEP   string
	}{
		{"console", ExporterOTLP, map[string]string{"OTEL_TRACES_EXPORTER": "console"}, ExporterStdout, ""},
		{"none", ExporterJaeger, map[string]string{"OTEL_TRACES_EXPORTER": "none"}, ExporterNone, ""},
		{"otlp keeps the http flavour", ExporterOTLPHTTP, map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, ExporterOTLPHTTP, "file:1"},
		{"otlp from jaeger is grpc", ExporterJaeger, map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, ExporterOTLP, ""},
		{"protocol http", ExporterOTLP, map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"}, ExporterOTLPHTTP, ""},
		{"traces protocol wins", ExporterOTLP, map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "grpc"}, ExporterOTLP, "file:1"},
		{"protocol ignored for stdout", ExporterStdout, map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"}, ExporterStdout, "file:1"},
		{"http base endpoint gets the path", ExporterOTLPHTTP, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318/"}, ExporterOTLPHTTP, "http://c:4318/v1/traces"},
		{"jaeger endpoint", ExporterJaeger, map[string]string{"OTEL_EXPORTER_JAEGER_ENDPOINT": "http://j:14268/api/traces"}, ExporterJaeger, "http://j:14268/api/traces"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Exporter.Type, cfg.Exporter.Endpoint = tt.fileType, "file:1"
			require.NoError(t, applyEnv(&cfg, envOf(tt.env)))
			assert.Equal(t, tt.wantType, cfg.Exporter.Type)
			assert.Equal(t, tt.wantEP, cfg.Exporter.Endpoint)
		})
	}
}

func TestEnvErrorsNameTheVariable(t *testing.T) {
	tests := map[string]string{
		"OTEL_TRACES_EXPORTER":           "zipkin",
		"OTEL_EXPORTER_OTLP_PROTOCOL":    "http/json",
		"OTEL_EXPORTER_OTLP_TIMEOUT":     "10s",
		"OTEL_EXPORTER_OTLP_INSECURE":    "maybe",
		"OTEL_EXPORTER_OTLP_HEADERS":     "novalue",
		"OTEL_RESOURCE_ATTRIBUTES":       "=x",
		"OTEL_BSP_SCHEDULE_DELAY":        "-5",
		"OTEL_BSP_EXPORT_TIMEOUT":        "soon",
		"OTEL_BSP_MAX_QUEUE_SIZE":        "0",
		"OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "1.5",
	}
	for name, value := range tests {
		t.Run(name, func(t *testing.T) {
			cfg := DefaultConfig()
			assert.ErrorContains(t, applyEnv(&cfg, envOf(map[string]string{name: value})), name+": ")

			t.Setenv(name, value)
			shutdown, err := Start(context.Background(), WithConfig(DefaultConfig()))
			assert.ErrorContains(t, err, name+": ", "Start reports it too")
			if shutdown != nil {
				_ = shutdown(context.Background())
			}
		})
	}
	cfg := DefaultConfig()
	assert.ErrorContains(t, applyEnv(&cfg, envOf(map[string]string{"OTEL_TRACES_EXPORTER": "otlp,console"})), "only one exporter")
}

// End to end through Start: the environment beats the file for the
// exporter, the service name and the file path itself.
func TestStartPrecedence(t *testing.T) {
	fileA := newConfigFile(t, "service: {name: from-file}\nexporter: {type: otlp, endpoint: 'file:4317'}\nsampling: {default_ratio: 0}\n")
	fileB := newConfigFile(t, "service: {name: from-b}\nexporter: {type: none}\nsampling: {default_ratio: 1}\n")

	var out bytes.Buffer
	t.Setenv("OTEL_TRACES_EXPORTER", "console")
	t.Setenv("OTEL_SERVICE_NAME", "from-env")
	shutdown := start(t, WithConfigFile(fileA), withStdout(&out))
	assert.False(t, sampledOn("orders"), "file A's default ratio 0 applies")
	_, span := otel.Tracer("test").Start(context.Background(), "plain")
	span.End()
	require.NoError(t, shutdown(context.Background()))
	assert.Contains(t, out.String(), `"Name":"plain"`, "stdout exporter chosen by OTEL_TRACES_EXPORTER")
	assert.Contains(t, out.String(), `"Value":"from-env"`)
	assert.NotContains(t, out.String(), "from-file")

	// KAFKATRACE_CONFIG beats WithConfigFile and WithConfig.
	t.Setenv("OTEL_TRACES_EXPORTER", "")
	t.Setenv(ConfigEnv, fileB)
	start(t, WithConfigFile(fileA))
	assert.True(t, sampledOn("orders"), "file B's default ratio 1 applies")
	start(t, WithConfig(Config{}))
	assert.True(t, sampledOn("orders"), "file B replaces an invalid WithConfig")
}

func TestWithConfigAndFileAreExclusive(t *testing.T) {
	_, err := Start(context.Background(), WithConfig(noneConfig()), WithConfigFile("x.yaml"))
	assert.ErrorContains(t, err, "cannot be combined")
}

func TestParseKeyValues(t *testing.T) {
	got, err := parseKeyValues(" a = 1 ,b=x%2Cy,, c=")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"a": "1", "b": "x,y", "c": ""}, got)
	_, err = parseKeyValues("a=%zz")
	assert.Error(t, err)
}
