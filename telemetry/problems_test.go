package telemetry

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Several problems at once: each is reported, under its own key, once.
// Neither a bad rule, nor a bad default ratio, nor a value the YAML decoder
// rejects hides the others.
func TestEveryProblemIsReported(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		env  map[string]string
		want []string // one per problem, each starting with its key
	}{
		{
			name: "two bad rules",
			yaml: "sampling:\n  rules:\n    - {topic: 'a[', match: glob, ratio: 1}\n    - {topic: b, ratio: 1.5}\n",
			want: []string{"sampling.rules[0].topic: bad glob", "sampling.rules[1].ratio: ratio must be within [0, 1], got 1.5"},
		},
		{
			name: "bad default ratio and bad glob",
			yaml: "sampling:\n  default_ratio: 2\n  rules:\n    - {topic: 'a[', match: glob, ratio: 1}\n",
			want: []string{"sampling.default_ratio: ratio must be within [0, 1], got 2", "sampling.rules[0].topic: bad glob"},
		},
		{
			name: "every field of one rule",
			yaml: "sampling:\n  rules:\n    - {topic: '(', match: regex, ratio: -1, parent: ignore}\n    - {topic: a, match: prefix, ratio: 7}\n",
			want: []string{
				"sampling.rules[0].topic: bad regex",
				"sampling.rules[0].ratio: ratio must be within [0, 1], got -1",
				`sampling.rules[0].parent: "ignore": want respect or override`,
				`sampling.rules[1].match: "prefix": want exact, glob or regex`,
				"sampling.rules[1].ratio: ratio must be within [0, 1], got 7",
			},
		},
		{
			name: "YAML type errors and later value errors",
			yaml: "exporter: {type: zipkin, timeout: soon}\n" +
				"batch: {max_queue_size: lots, schedule_delay: 0s}\n" +
				"sampling:\n  default_ratio: 2\n  rules:\n    - {topic: a, ratio: high}\n    - {ratio: 3}\n    - {topic: 'b[', match: glob, ratio: 1}\n" +
				"propagators: [tracecontext, zipkin]\n",
			want: []string{
				"exporter.type: unknown exporter",
				"exporter.timeout: line 1: cannot unmarshal",
				"batch.max_queue_size: line 2: cannot unmarshal",
				"batch.schedule_delay: must be positive",
				"sampling.default_ratio: ratio must be within [0, 1], got 2",
				"sampling.rules[0].ratio: line 6: cannot unmarshal",
				"sampling.rules[1].topic: required key missing",
				"sampling.rules[1].ratio: ratio must be within [0, 1], got 3",
				"sampling.rules[2].topic: bad glob",
				`propagators[1]: unknown propagator "zipkin"`,
			},
		},
		{
			name: "unknown keys, a section of the wrong kind and values",
			yaml: "servce: {name: x}\nservice: orders\nexporter: {type: otlp, endpoint: localhost}\nbatch: {max_queue_size: 10, max_export_batch_size: 20}\n",
			want: []string{
				"servce: unknown key",
				"service: want a mapping",
				`exporter.endpoint: "localhost": want host:port or a URL`,
				"batch.max_export_batch_size: 20 exceeds batch.max_queue_size 10",
			},
		},
		{
			name: "every metrics key",
			yaml: "metrics:\n  exporter: otlp\n  endpoint: localhost\n  insecure: maybe\n  timeout: 0s\n  headers: [a]\n" +
				"  interval: soon\n  prometheus_address: 9464\n  intervall: 5s\n",
			want: []string{
				`metrics.endpoint: "localhost": want host:port or a URL`,
				"metrics.insecure: line 4: cannot unmarshal",
				"metrics.timeout: must be positive, got 0s",
				"metrics.headers: line 6: cannot unmarshal",
				"metrics.interval: line 7: cannot unmarshal",
				"metrics.intervall: unknown key (line 9)",
			},
		},
		{
			name: "metrics and spans",
			yaml: "exporter: {type: prometheus}\nmetrics: {exporter: zipkin, interval: 0s}\nbatch: {max_queue_size: 0}\n",
			want: []string{
				`exporter.type: unknown exporter "prometheus"`,
				"batch.max_queue_size: must be positive",
				`metrics.exporter: unknown exporter "zipkin" (want otlp, otlp-http, prometheus, stdout or none)`,
				"metrics.interval: must be positive",
			},
		},
		{
			name: "metrics environment and file",
			yaml: "metrics: {exporter: prometheus, prometheus_address: 'nowhere', timeout: -1s}\n",
			env: map[string]string{
				"OTEL_EXPORTER_PROMETHEUS_PORT": "high",
				"OTEL_METRIC_EXPORT_INTERVAL":   "1m",
			},
			want: []string{
				`OTEL_EXPORTER_PROMETHEUS_PORT: "high": want a port number from 0 to 65535`,
				`OTEL_METRIC_EXPORT_INTERVAL: "1m": want a positive number of milliseconds`,
				"metrics.timeout: must be positive, got -1s",
				`metrics.prometheus_address: "nowhere": want host:port`,
			},
		},
		{
			name: "environment and file",
			yaml: "batch: {max_queue_size: lots}\nsampling: {default_ratio: -1}\n",
			env:  map[string]string{"OTEL_BSP_SCHEDULE_DELAY": "soon", "OTEL_PROPAGATORS": "b3,zipkin"},
			want: []string{
				"batch.max_queue_size: line 1: cannot unmarshal",
				"sampling.default_ratio: ratio must be within [0, 1], got -1",
				"OTEL_BSP_SCHEDULE_DELAY: \"soon\": want a positive number of milliseconds",
				`OTEL_PROPAGATORS: unknown propagator "zipkin"`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := newConfigFile(t, tt.yaml)
			check := func(how string, err error) {
				t.Helper()
				require.Error(t, err, how)
				msg := err.Error()
				for _, w := range tt.want {
					assert.Contains(t, msg, w, how)
				}
				// One line per problem: nothing reported twice, nothing
				// made up about a value that did not decode.
				assert.Len(t, strings.Split(msg, "\n"), len(tt.want), "%s:\n%s", how, msg)
			}

			if tt.env == nil {
				_, err := LoadConfig(path)
				check("LoadConfig", err)
			}
			_, err := resolveConfig([]byte(tt.yaml), envOf(tt.env))
			check("resolveConfig", err)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			shutdown, err := Start(context.Background(), WithConfigFile(path))
			assert.Nil(t, shutdown)
			check("Start", err)
		})
	}
}

// Validate alone, on a Config built in code, reports every problem too.
func TestValidateReportsEveryRule(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Propagators = nil
	cfg.Sampling = Sampling{DefaultRatio: 1.5, Rules: []Rule{
		{Topic: "", Ratio: 2},
		{Topic: "ok", Ratio: 0.5},
		{Topic: "x[", Match: "glob", Ratio: 0.5, Parent: "maybe"},
	}}
	err := cfg.Validate()
	for _, key := range []string{
		"propagators: ",
		"sampling.default_ratio: ",
		"sampling.rules[0].topic: must not be empty",
		"sampling.rules[0].ratio: ",
		"sampling.rules[2].topic: bad glob",
		"sampling.rules[2].parent: ",
	} {
		assert.ErrorContains(t, err, key)
	}
	assert.NotContains(t, err.Error(), "sampling.rules[1]")
	assert.Len(t, flatten(err), 6)
}
