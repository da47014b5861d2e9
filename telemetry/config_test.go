package telemetry

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseErrorsNameTheKey(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"unknown top-level key", "servce: {name: x}\n", []string{"servce: unknown key (line 1)", "known keys: service, exporter, batch, metrics, sampling, propagators"}},
		{"unknown nested key", "exporter:\n  type: otlp\n  endpont: x:1\n", []string{"exporter.endpont: unknown key (line 3)"}},
		{"unknown rule key", "sampling:\n  rules:\n    - {topic: a, ratio: 1}\n    - {topic: b, ratoi: 1}\n", []string{"sampling.rules[1].ratoi: unknown key (line 4)", "sampling.rules[1].ratio: required key missing"}},
		{"missing topic", "sampling:\n  rules:\n    - {ratio: 1}\n", []string{"sampling.rules[0].topic: required key missing"}},
		{"wrong type", "batch:\n  max_queue_size: lots\n", []string{"batch.max_queue_size: line 2: cannot unmarshal !!str `lots` into int"}},
		{"duration without unit", "batch:\n  schedule_delay: 5000\n", []string{"batch.schedule_delay: line 2: cannot unmarshal !!int `5000` into time.Duration"}},
		{"section not a mapping", "exporter: otlp\n", []string{"exporter: want a mapping (line 1)"}},
		{"rules not a list", "sampling:\n  rules: {topic: a}\n", []string{"sampling.rules: want a list (line 2)"}},
		{"two documents", "service: {name: a}\n---\nservice: {name: b}\n", []string{"single YAML document"}},
		{"syntax", "service: [\n", []string{"yaml:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseConfig([]byte(tt.yaml))
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestValidateErrorsNameTheKey(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{"rule ratio", "sampling:\n  rules:\n    - {topic: a, ratio: 1}\n    - {topic: b, ratio: 1.5}\n", "sampling.rules[1].ratio: ratio must be within [0, 1], got 1.5"},
		{"default ratio", "sampling: {default_ratio: -0.5}\n", "sampling.default_ratio: ratio must be within [0, 1], got -0.5"},
		{"bad regex", "sampling:\n  rules:\n    - {topic: '(', match: regex, ratio: 1}\n", "sampling.rules[0].topic: bad regex"},
		{"bad glob", "sampling:\n  rules:\n    - {topic: 'a[', match: glob, ratio: 1}\n", "sampling.rules[0].topic: bad glob"},
		{"bad match", "sampling:\n  rules:\n    - {topic: a, match: prefix, ratio: 1}\n", `sampling.rules[0].match: "prefix": want exact, glob or regex`},
		{"bad parent", "sampling:\n  rules:\n    - {topic: a, parent: ignore, ratio: 1}\n", `sampling.rules[0].parent: "ignore": want respect or override`},
		{"unknown exporter", "exporter: {type: zipkin}\n", `exporter.type: unknown exporter "zipkin"`},
		{"bad endpoint", "exporter: {type: otlp, endpoint: localhost}\n", `exporter.endpoint: "localhost": want host:port or a URL`},
		{"bad scheme", "exporter: {type: otlp-http, endpoint: 'ftp://x:1'}\n", "exporter.endpoint: \"ftp://x:1\": scheme must be http or https"},
		{"jaeger wants a URL", "exporter: {type: jaeger, endpoint: 'localhost:14268'}\n", "exporter.endpoint: \"localhost:14268\": want a URL"},
		{"jaeger headers", "exporter: {type: jaeger, headers: {a: b}}\n", "exporter.headers: not supported by the jaeger exporter"},
		{"timeout", "exporter: {timeout: 0s}\n", "exporter.timeout: must be positive"},
		{"queue size", "batch: {max_queue_size: 0}\n", "batch.max_queue_size: must be positive"},
		{"batch above queue", "batch: {max_queue_size: 10, max_export_batch_size: 20}\n", "batch.max_export_batch_size: 20 exceeds batch.max_queue_size 10"},
		{"delay", "batch: {schedule_delay: -1s}\n", "batch.schedule_delay: must be positive"},
		{"export timeout", "batch: {export_timeout: 0s}\n", "batch.export_timeout: must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseConfig([]byte(tt.yaml))
			require.NoError(t, err)
			assert.ErrorContains(t, cfg.Validate(), tt.want)

			// Start refuses it too, naming the key and the file.
			path := newConfigFile(t, tt.yaml)
			shutdown, err := Start(context.Background(), WithConfigFile(path))
			assert.Nil(t, shutdown)
			assert.ErrorContains(t, err, tt.want)
			assert.ErrorContains(t, err, path)
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	cfg, err := parseConfig([]byte("exporter: {type: zipkin}\nbatch: {max_queue_size: 0}\nsampling: {default_ratio: 2}\n"))
	require.NoError(t, err)
	err = cfg.Validate()
	assert.ErrorContains(t, err, "exporter.type")
	assert.ErrorContains(t, err, "batch.max_queue_size")
	assert.ErrorContains(t, err, "sampling.default_ratio")
}

func TestAbsentKeysKeepDefaults(t *testing.T) {
	cfg, err := parseConfig([]byte("service: {name: orders}\nbatch: {max_queue_size: 100}\nexporter:\nsampling:\n  rules:\n    - {topic: a, ratio: 0}\n"))
	require.NoError(t, err)
	want := DefaultConfig()
	want.Service.Name = "orders"
	want.Batch.MaxQueueSize = 100
	want.Batch.MaxExportBatchSize = 512
	want.Sampling.Rules = []Rule{{Topic: "a", Ratio: 0}}
	assert.Equal(t, want, cfg)
	assert.Error(t, cfg.Validate(), "512 > 100 is reported, not clamped")

	empty, err := parseConfig(nil)
	require.NoError(t, err)
	assert.Equal(t, DefaultConfig(), empty)
	assert.NoError(t, DefaultConfig().Validate())
}

func TestExampleFile(t *testing.T) {
	cfg, err := LoadConfig(filepath.Join("..", "examples", "kafkatrace.yaml"))
	require.NoError(t, err)
	assert.Equal(t, "orders", cfg.Service.Name)
	assert.Equal(t, Exporter{Type: ExporterOTLP, Endpoint: "localhost:4317", Insecure: true, Timeout: 10 * time.Second, Headers: map[string]string{}}, cfg.Exporter)
	assert.Equal(t, Batch{MaxQueueSize: 2048, MaxExportBatchSize: 512, ScheduleDelay: 5 * time.Second, ExportTimeout: 30 * time.Second}, cfg.Batch)
	assert.Equal(t, Metrics{Exporter: ExporterNone, Timeout: 10 * time.Second, Headers: map[string]string{}, Interval: time.Minute, PrometheusAddress: "127.0.0.1:9464"}, cfg.Metrics)
	assert.Equal(t, []Rule{
		{Topic: "payments", Ratio: 1},
		{Topic: "firehose.*", Match: "glob", Ratio: 0.001},
		{Topic: "audit", Ratio: 0},
		{Topic: "^partner-", Match: "regex", Ratio: 0.1, Parent: "override", Untrusted: true},
	}, cfg.Sampling.Rules)

	rs, err := cfg.Sampling.compile()
	require.NoError(t, err)
	assert.True(t, rs.Untrusted("partner-acme"))
}

func TestLoadConfigErrors(t *testing.T) {
	_, err := LoadConfig(filepath.Join(t.TempDir(), "missing.yaml"))
	assert.ErrorContains(t, err, "missing.yaml")
	path := newConfigFile(t, "sampling: {default_ratio: 3}\n")
	_, err = LoadConfig(path)
	assert.ErrorContains(t, err, "sampling.default_ratio")
	assert.ErrorContains(t, err, path)
}
