//go:build integration

package integration

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
)

// Defaults match docker-compose.yml and scripts/standins.sh.
const (
	defaultBootstrap = "127.0.0.1:9092"
	defaultQueryURL  = "http://127.0.0.1:16686"
	defaultOTLP      = "127.0.0.1:4317"
	defaultCollector = "http://127.0.0.1:14268/api/traces"
)

func env(name, def string) string {
	if v := strings.TrimSpace(os.Getenv(name)); v != "" {
		return v
	}
	return def
}

func bootstrap() string { return env("KAFKA_BOOTSTRAP_SERVERS", defaultBootstrap) }
func queryURL() string  { return strings.TrimRight(env("JAEGER_QUERY_URL", defaultQueryURL), "/") }
func otlpEndpoint() string {
	return env("OTEL_EXPORTER_OTLP_ENDPOINT", defaultOTLP)
}
func collectorURL() string { return env("JAEGER_COLLECTOR_URL", defaultCollector) }

// runID makes topic, group and tag values unique per run, so a reused
// broker or Jaeger never mixes runs up.
func runID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
