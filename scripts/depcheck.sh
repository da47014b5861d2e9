#!/usr/bin/env bash
# The instrumentation module (the repository root) must depend on
# confluent-kafka-go and the OpenTelemetry API only, as OpenTelemetry asks of
# instrumentation libraries: the application picks the SDK and exporters.
#
# 1. go.mod requires (directly or // indirect) no SDK, exporter, gRPC,
#    protobuf or YAML module, so none enters a service's module graph through
#    kafkatrace.
# 2. A service importing only interceptor compiles only the standard library,
#    confluent-kafka-go and OpenTelemetry API packages.
set -euo pipefail
cd "$(dirname "$0")/.."

forbidden='^(go\.opentelemetry\.io/otel/sdk|go\.opentelemetry\.io/otel/exporters/|google\.golang\.org/grpc|google\.golang\.org/protobuf|gopkg\.in/yaml|go\.yaml\.in/yaml|sigs\.k8s\.io/yaml|github\.com/goccy/go-yaml)'
status=0

bad=$(go mod edit -json | sed -n 's/.*"Path": "\([^"]*\)".*/\1/p' | grep -E "$forbidden" || true)
if [ -n "$bad" ]; then
	echo "depcheck: go.mod requires modules an instrumentation library must not:"
	echo "$bad" | sed 's/^/  /'
	status=1
fi

allowed='^(github\.com/kafkatrace/kafkatrace/|github\.com/confluentinc/confluent-kafka-go/v2/|go\.opentelemetry\.io/otel($|/attribute|/baggage|/codes|/propagation|/trace|/metric|/log|/internal|/semconv/)|go\.opentelemetry\.io/auto/sdk|github\.com/go-logr/|github\.com/cespare/xxhash)'
extra=$(go list -deps -f '{{if not .Standard}}{{.ImportPath}}{{end}}' ./interceptor | grep -vE "$allowed" || true)
if [ -n "$extra" ]; then
	echo "depcheck: importing interceptor compiles packages outside confluent-kafka-go and the OpenTelemetry API:"
	echo "$extra" | sed 's/^/  /'
	status=1
fi

[ $status -eq 0 ] && echo "depcheck: root module requires only confluent-kafka-go and the OpenTelemetry API"
exit $status
