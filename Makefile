# kafkatrace — see README.md. `make test` is what CI runs.
GO      ?= go
export CGO_ENABLED := 1

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
	$(GO) run ./examples/pipeline -n $(N)

all: build

## test: lint, unit tests with the race detector, bounded fuzzing of the
## header code, then the integration suite against real Kafka-protocol and
## Jaeger processes (CI runs this)
test: lint unit fuzz integration

## unit: every package's tests, race detector on, no cache
unit:
	$(GO) test -race -count=1 -timeout 20m ./...

## lint: gofmt must have nothing to say, go vet must pass
lint: vet
	@out=$$(gofmt -l .); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...
	cd integration && $(GO) vet -tags integration ./...
	cd bench && $(GO) vet ./...

## fmt: rewrite sources with gofmt
fmt:
	gofmt -w .

## build: compile every package and example
build:
	$(GO) build ./...

include mk/integration.mk
include mk/fuzz.mk
