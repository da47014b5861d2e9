// Package integration holds kafkatrace's end-to-end suite (build tag
// "integration"): real Kafka-protocol brokers and a real Jaeger, with traces
// read back from Jaeger's query API.
//
// Run it with `make integration`, which starts local stand-ins (a kfake
// broker and a Jaeger v2 binary built from source) when nothing answers on
// the default ports, or against `docker compose up -d` (docker-compose.yml).
// Addresses come from the environment, with the compose defaults:
//
//	KAFKA_BOOTSTRAP_SERVERS       127.0.0.1:9092
//	JAEGER_QUERY_URL              http://127.0.0.1:16686
//	OTEL_EXPORTER_OTLP_ENDPOINT   127.0.0.1:4317 (OTLP gRPC)
//	JAEGER_COLLECTOR_URL          http://127.0.0.1:14268/api/traces (Jaeger thrift HTTP)
//
// It is a module of its own so that its dependencies (compose-go) stay out
// of the library's go.mod.
package integration
