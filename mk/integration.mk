# Integration targets; the root Makefile includes this file.
#
#   make up / down                 Kafka + Jaeger + Prometheus in Docker (docker-compose.yml)
#   make standins-up / -down       the same without Docker: kfake + Jaeger binary
#                                  + the prometheus on PATH (skipped, with a
#                                  notice, when there is none)
#   make integration               standins up, integration tests, standins down
#   make tools-build               pre-build .bin/kfake and .bin/jaeger
#
# `integration` leaves alone whatever already answers on 127.0.0.1:9092,
# :16686 and :9090 (for example `make up`), and brokers, collectors or
# Prometheus servers named by KAFKA_BOOTSTRAP_SERVERS / JAEGER_QUERY_URL /
# OTEL_EXPORTER_OTLP_ENDPOINT / PROMETHEUS_URL.

INTEGRATION_ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
INTEGRATION_PKGS ?= ./...
INTEGRATION_TEST_FLAGS ?= -race -tags integration -count=1 -timeout 15m
GO ?= go
COMPOSE ?= docker compose
STANDINS := $(INTEGRATION_ROOT)/scripts/standins.sh

export CGO_ENABLED := 1

.PHONY: up down standins-up standins-down integration tools-build

up:
	$(COMPOSE) -f $(INTEGRATION_ROOT)/docker-compose.yml up -d --wait

down:
	$(COMPOSE) -f $(INTEGRATION_ROOT)/docker-compose.yml down

# Prometheus is optional here (Kafka and Jaeger are enough for a program of
# one's own); `integration` below requires it, so the metrics tests never run
# without one.
standins-up:
	$(STANDINS) up --prometheus-optional

standins-down:
	$(STANDINS) down

# One shell, so the stand-ins are stopped whatever the tests did (also on
# Ctrl-C); the recipe exits with go test's status, and make itself then exits
# 2 on any failure.
integration:
	@trap '$(STANDINS) down; exit 130' INT TERM; \
	$(STANDINS) up || { $(STANDINS) down; exit 1; }; \
	cd $(INTEGRATION_ROOT)/integration && $(GO) test $(INTEGRATION_TEST_FLAGS) $(INTEGRATION_PKGS); \
	status=$$?; \
	$(STANDINS) down; \
	exit $$status

tools-build:
	mkdir -p $(INTEGRATION_ROOT)/.bin
	cd $(INTEGRATION_ROOT)/tools/kfake && $(GO) build -mod=readonly -o ../../.bin/kfake .
	cd $(INTEGRATION_ROOT)/tools/jaeger && $(GO) build -mod=readonly -o ../../.bin/jaeger github.com/jaegertracing/jaeger/cmd/jaeger
