// Package integration holds kafkatrace's end-to-end suite (build tag
// "integration"): real Kafka-protocol brokers, a real Jaeger and a real
// Prometheus, with traces read back from Jaeger's query API and metrics from
// Prometheus's, and the documented example commands run as written.
//
// Run it with `make integration`, which starts local stand-ins (a kfake
// broker, a Jaeger v2 binary built from source, Debian's prometheus) when nothing answers on
// the default ports, or against `docker compose up -d` (docker-compose.yml).
// Addresses come from the environment, with the compose defaults:
//
//	KAFKA_BOOTSTRAP_SERVERS       127.0.0.1:9092
//	JAEGER_QUERY_URL              http://127.0.0.1:16686
//	OTEL_EXPORTER_OTLP_ENDPOINT   127.0.0.1:4317 (OTLP gRPC)
//	JAEGER_COLLECTOR_URL          http://127.0.0.1:14268/api/traces (Jaeger thrift HTTP)
//	PROMETHEUS_URL                http://127.0.0.1:9090 (it scrapes the test process on 127.0.0.1:9464)
//
// It is a module of its own so that its dependencies (compose-go) stay out
// of the library's go.mod.
package integration
