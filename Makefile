# kafkatrace — see README.md. `make test` is what CI runs.
#
# Modules (each with its own go.mod; the nested ones reach the others through
# replace directives, so every command works from a fresh clone):
#   .            the instrumentation: interceptor, carrier, poller, semconv
#                (confluent-kafka-go and the OpenTelemetry API only)
#   sampling     per-topic sampler (OpenTelemetry SDK)
#   telemetry    SDK setup: exporters, YAML config, OTEL_* (OpenTelemetry SDK)
#   test         the behaviour tests of the instrumentation (they need the SDK)
#   examples     runnable programs and the demo
#   integration, bench, tools/*   suites and tools
GO      ?= go
export CGO_ENABLED := 1

# Modules with unit tests, vetted and tested by `make unit`.
MODULES := . sampling telemetry test examples

.PHONY: all test unit lint vet fmt build demo bench

## bench: kafkatrace vs raw confluent-kafka-go vs a hand-written floor, in
## interleaved rounds; prints the tables and rewrites docs/BENCHMARKS.md
bench:
	cd bench && $(GO) run . -out ../docs/BENCHMARKS.md

## demo: three traced services on an embedded broker, each trace printed as a
## tree (N orders; with KAFKA_BOOTSTRAP_SERVERS / OTEL_EXPORTER_OTLP_ENDPOINT
## set, real Kafka and Jaeger)
N ?= 5
demo:
	cd examples && $(GO) run ./pipeline -n $(N)

all: build

## test: lint, unit tests with the race detector, bounded fuzzing of the
## header and offset-tracking code, then the integration suite against real
## Kafka-protocol and Jaeger processes (CI runs this)
test: lint unit fuzz integration

## unit: every module's tests, race detector on, no cache; then the timing
## budgets the race detector would distort (under -race they skip their
## assertion), failing if the budget test did not run and pass
unit:
	@for m in $(MODULES); do \
		echo "unit: $$m"; \
		( cd $$m && $(GO) test -race -count=1 -timeout 20m ./... ) || exit 1; \
	done
	@echo "unit: budgets (no race detector)"
	@out=$$($(GO) test -count=1 -run '^TestParse1000PartitionsWithinBudget$$' -v ./internal/rdstats/ 2>&1); \
	echo "$$out"; \
	echo "$$out" | grep -q -- '--- PASS: TestParse1000PartitionsWithinBudget' || { echo "unit: the parser budget did not pass"; exit 1; }

## lint: gofmt, go vet, go mod tidy, the dependency rule of the root module,
## staticcheck, and govulncheck when its database can be reached
lint: vet depcheck tidy-check staticcheck govulncheck
	@out=$$(gofmt -l .); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	@for m in $(MODULES) bench; do \
		echo "vet: $$m"; ( cd $$m && $(GO) vet ./... ) || exit 1; \
	done
	cd integration && $(GO) vet -tags integration ./...

## fmt: rewrite sources with gofmt
fmt:
	gofmt -w .

## build: compile every package and example
build:
	@for m in $(MODULES) bench; do ( cd $$m && $(GO) build ./... ) || exit 1; done

include mk/integration.mk
include mk/fuzz.mk
include mk/lint.mk
