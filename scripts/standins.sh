#!/usr/bin/env bash
# Starts and stops local stand-ins for Kafka, Jaeger and Prometheus, for
# integration tests on a machine without Docker.
#
#   scripts/standins.sh up     start what is missing, wait until it is ready
#   scripts/standins.sh up --prometheus-optional
#                              the same, but when Prometheus would be started
#                              and none is on PATH, say so in one line and
#                              start Kafka and Jaeger only (make standins-up;
#                              make integration uses plain `up`, which fails)
#   scripts/standins.sh down   stop only what `up` started
#
# Kafka: nothing is started when KAFKA_BOOTSTRAP_SERVERS is set or something
# answers on 127.0.0.1:9092; otherwise tools/kfake (franz-go's kfake) runs there.
# Jaeger: nothing is started when JAEGER_QUERY_URL or OTEL_EXPORTER_OTLP_ENDPOINT
# is set or something answers on 127.0.0.1:16686; otherwise .bin/jaeger (Jaeger
# v2 all-in-one, memory storage, built from tools/jaeger) runs with its built-in
# configuration, every listener moved to 127.0.0.1.
# Prometheus: nothing is started when PROMETHEUS_URL is set or something answers
# on 127.0.0.1:9090; otherwise the prometheus on PATH (Debian's package, as
# .ci/run installs it) runs on 127.0.0.1:9090 with .run/prometheus.yml, which
# scrapes the tests' metrics on 127.0.0.1:9464 every second, and a TSDB in
# .run/prometheus-data that is emptied at every start.
#
# Everything listens on loopback. Pid files and logs go to .run/, binaries to
# .bin/ (both git-ignored).
#
# Environment:
#   STANDINS_TIMEOUT   seconds to wait for readiness (default 60)
#   KFAKE_PARTITIONS   partitions of auto-created topics (default 3)
#   PROMETHEUS_URL     a Prometheus of your own (the tests default to
#                      http://127.0.0.1:9090); when set, none is started
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
RUN="$ROOT/.run"
BIN="$ROOT/.bin"
TIMEOUT="${STANDINS_TIMEOUT:-60}"

KAFKA_ADDR=127.0.0.1:9092
JAEGER_HEALTH_URL=http://127.0.0.1:13133/status
JAEGER_QUERY_API=http://127.0.0.1:16686/api/services
PROMETHEUS_ADDR=127.0.0.1:9090
PROMETHEUS_READY_URL=http://$PROMETHEUS_ADDR/-/ready
METRICS_TARGET=127.0.0.1:9464 # where the tests serve /metrics

export CGO_ENABLED="${CGO_ENABLED:-1}"

log() { printf 'standins: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# port_open HOST PORT: true when a TCP connect succeeds.
port_open() {
	(exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# http_ok URL: true when the URL answers 2xx.
http_ok() {
	curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null
}

# exe_of NAME: the executable NAME runs: .bin/NAME, except prometheus, which
# is the one on PATH when it was started, recorded in .run/prometheus.exe
# (symbolic links resolved, as /proc/PID/exe shows them), so that `down`
# with another PATH still recognises it.
exe_of() {
	local path
	if [[ "$1" == prometheus ]]; then
		if [[ -f "$RUN/prometheus.exe" ]]; then
			cat "$RUN/prometheus.exe"
			return
		fi
		path="$(command -v prometheus)" || return 1
		readlink -f "$path"
	else
		echo "$BIN/$1"
	fi
}

# ours PID NAME: true when PID is alive and runs NAME's executable, so that a
# stale pid file never makes us signal some other process that reused the pid.
ours() {
	local exe want
	kill -0 "$1" 2>/dev/null || return 1
	[[ -d /proc/$1 ]] || return 0 # no procfs: trust the pid file
	exe="$(readlink "/proc/$1/exe" 2>/dev/null)" || return 1
	want="$(exe_of "$2")" || return 1
	[[ "$exe" == "$want" || "$exe" == "$want (deleted)" ]]
}

# running NAME: true when .run/NAME.pid names a live process of ours.
running() {
	local pidfile="$RUN/$1.pid"
	[[ -f "$pidfile" ]] && ours "$(cat "$pidfile")" "$1"
}

# newer_than BIN DIR: true when BIN exists and is newer than every source of DIR.
newer_than() {
	local bin="$1" dir="$2" f
	[[ -x "$bin" ]] || return 1
	for f in "$dir"/go.mod "$dir"/go.sum "$dir"/*.go; do
		[[ -e "$f" ]] || continue
		[[ "$bin" -nt "$f" ]] || return 1
	done
}

build_kfake() {
	if newer_than "$BIN/kfake" "$ROOT/tools/kfake"; then
		return
	fi
	log "building $BIN/kfake"
	(cd "$ROOT/tools/kfake" && go build -mod=readonly -o "$BIN/kfake" .)
}

build_jaeger() {
	if newer_than "$BIN/jaeger" "$ROOT/tools/jaeger"; then
		return
	fi
	log "building $BIN/jaeger (first build takes several minutes)"
	(cd "$ROOT/tools/jaeger" &&
		go build -mod=readonly -o "$BIN/jaeger" github.com/jaegertracing/jaeger/cmd/jaeger)
}

# start NAME CMD...: runs CMD in the background, logging to .run/NAME.log.
start() {
	local name="$1"
	shift
	: >"$RUN/$name.log"
	# setsid: the process must outlive this script and its terminal.
	setsid "$@" >>"$RUN/$name.log" 2>&1 </dev/null &
	echo $! >"$RUN/$name.pid"
}

# wait_ready NAME CHECK...: polls CHECK until it succeeds, the process dies,
# or TIMEOUT passes; on failure prints the log tail and exits.
wait_ready() {
	local name="$1"
	shift
	local deadline=$((SECONDS + TIMEOUT))
	until "$@"; do
		if ! running "$name"; then
			log "$name exited before it was ready; last lines of $RUN/$name.log:"
			tail -n 30 "$RUN/$name.log" >&2 || true
			rm -f "$RUN/$name.pid"
			exit 1
		fi
		if ((SECONDS >= deadline)); then
			log "$name not ready after ${TIMEOUT}s; last lines of $RUN/$name.log:"
			tail -n 30 "$RUN/$name.log" >&2 || true
			stop "$name"
			exit 1
		fi
		sleep 0.2
	done
}

kafka_ready() {
	"$BIN/kfake" -check "$KAFKA_ADDR" -check-timeout 2s 2>/dev/null
}

jaeger_ready() {
	http_ok "$JAEGER_HEALTH_URL" && http_ok "$JAEGER_QUERY_API"
}

prometheus_ready() {
	http_ok "$PROMETHEUS_READY_URL"
}

up_kafka() {
	if [[ -n "${KAFKA_BOOTSTRAP_SERVERS:-}" ]]; then
		log "kafka: KAFKA_BOOTSTRAP_SERVERS=$KAFKA_BOOTSTRAP_SERVERS is set, starting nothing"
		return
	fi
	if running kfake; then
		log "kafka: kfake already running (pid $(cat "$RUN/kfake.pid")) on $KAFKA_ADDR"
		return
	fi
	if port_open 127.0.0.1 9092; then
		log "kafka: something answers on $KAFKA_ADDR, starting nothing"
		return
	fi
	build_kfake
	start kfake "$BIN/kfake" -addr "$KAFKA_ADDR" -partitions "${KFAKE_PARTITIONS:-3}"
	wait_ready kfake kafka_ready
	echo "started kafka stand-in (kfake) pid $(cat "$RUN/kfake.pid") on $KAFKA_ADDR, log $RUN/kfake.log"
}

up_jaeger() {
	if [[ -n "${JAEGER_QUERY_URL:-}" || -n "${OTEL_EXPORTER_OTLP_ENDPOINT:-}" ]]; then
		log "jaeger: JAEGER_QUERY_URL or OTEL_EXPORTER_OTLP_ENDPOINT is set, starting nothing"
		return
	fi
	if running jaeger; then
		log "jaeger: already running (pid $(cat "$RUN/jaeger.pid"))"
		return
	fi
	if port_open 127.0.0.1 16686; then
		log "jaeger: something answers on 127.0.0.1:16686, starting nothing"
		return
	fi
	build_jaeger
	# With no --config Jaeger runs its built-in all-in-one configuration
	# (memory storage), which binds ${JAEGER_LISTEN_HOST:-localhost} except for
	# the query extension: that one listens on :16686 and :16685, all
	# interfaces, unless told otherwise. The query extension also traces
	# itself into its own OTLP receiver by default (a "jaeger" service shows up
	# in /api/services and shutdown waits 10s for the export); turn that off.
	start jaeger env JAEGER_LISTEN_HOST=127.0.0.1 "$BIN/jaeger" \
		--set=extensions::jaeger_query::http::endpoint=127.0.0.1:16686 \
		--set=extensions::jaeger_query::grpc::endpoint=127.0.0.1:16685 \
		--set=extensions::jaeger_query::enable_tracing=false
	wait_ready jaeger jaeger_ready
	echo "started jaeger stand-in pid $(cat "$RUN/jaeger.pid"): OTLP grpc 127.0.0.1:4317, OTLP http 127.0.0.1:4318," \
		"thrift http 127.0.0.1:14268/api/traces, query http://127.0.0.1:16686, health $JAEGER_HEALTH_URL, log $RUN/jaeger.log"
}

# prometheus_wanted: true when up_prometheus would start one.
prometheus_wanted() {
	[[ -z "${PROMETHEUS_URL:-}" ]] && ! running prometheus && ! port_open 127.0.0.1 9090
}

up_prometheus() {
	if [[ -n "${PROMETHEUS_URL:-}" ]]; then
		log "prometheus: PROMETHEUS_URL=$PROMETHEUS_URL is set, starting nothing"
		return
	fi
	if running prometheus; then
		log "prometheus: already running (pid $(cat "$RUN/prometheus.pid"))"
		return
	fi
	if port_open 127.0.0.1 9090; then
		log "prometheus: something answers on $PROMETHEUS_ADDR, starting nothing"
		return
	fi
	# The same scrape as integration/prometheus.yml (docker-compose.yml), on
	# loopback. scrape_timeout must not exceed scrape_interval.
	cat >"$RUN/prometheus.yml" <<-EOF
		# Written by scripts/standins.sh; rewritten at every start.
		global:
		  scrape_interval: 1s
		  scrape_timeout: 1s
		  evaluation_interval: 1s
		scrape_configs:
		  - job_name: kafkatrace
		    scrape_interval: 1s
		    scrape_timeout: 1s
		    static_configs:
		      - targets: ["$METRICS_TARGET"]
	EOF
	# A fresh TSDB, like Jaeger's memory storage: samples a previous run
	# left without staleness markers must not answer this run's queries.
	rm -rf "$RUN/prometheus-data"
	readlink -f "$(command -v prometheus)" >"$RUN/prometheus.exe"
	start prometheus "$(command -v prometheus)" \
		--config.file="$RUN/prometheus.yml" \
		--storage.tsdb.path="$RUN/prometheus-data" \
		--web.listen-address="$PROMETHEUS_ADDR"
	wait_ready prometheus prometheus_ready
	echo "started prometheus stand-in pid $(cat "$RUN/prometheus.pid"): http://$PROMETHEUS_ADDR," \
		"scraping $METRICS_TARGET every 1s, config $RUN/prometheus.yml, log $RUN/prometheus.log"
}

# stop NAME...: sends SIGTERM to the processes in .run/NAME.pid, waits up to
# 15s for them to exit, then sends SIGKILL; removes the pid files.
stop() {
	local name pid i n
	local -a names=() pids=()
	for name in "$@"; do
		[[ -f "$RUN/$name.pid" ]] || continue
		pid="$(cat "$RUN/$name.pid")"
		if ours "$pid" "$name" && kill -TERM "$pid" 2>/dev/null; then
			names+=("$name")
			pids+=("$pid")
		fi
	done
	for i in "${!pids[@]}"; do
		pid="${pids[$i]}"
		for ((n = 0; n < 75; n++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.2
		done
		if kill -0 "$pid" 2>/dev/null; then
			log "${names[$i]} (pid $pid) did not stop after SIGTERM, sending SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
		fi
		echo "stopped ${names[$i]} (pid $pid)"
	done
	for name in "$@"; do
		rm -f "$RUN/$name.pid" "$RUN/$name.exe"
	done
}

main() {
	command -v go >/dev/null || die "go is not on PATH"
	mkdir -p "$RUN" "$BIN"
	case "${1:-}" in
	up)
		local prometheus=required
		case "${2:-}" in
		"") ;;
		--prometheus-optional) prometheus=optional ;;
		*) die "usage: $0 up [--prometheus-optional] | down" ;;
		esac
		command -v curl >/dev/null || die "curl is not on PATH"
		# Checked before anything starts, so a missing binary leaves nothing running.
		if prometheus_wanted && ! command -v prometheus >/dev/null; then
			if [[ "$prometheus" == required ]]; then
				die "prometheus is not on PATH: install it (Debian/Ubuntu:" \
					"apt-get install --no-install-recommends prometheus, as .ci/run does)," \
					"run one on $PROMETHEUS_ADDR (make up), or set PROMETHEUS_URL"
			fi
			log "prometheus: not on PATH, not started (Kafka and Jaeger only; the integration" \
				"suite needs it: apt-get install --no-install-recommends prometheus, or set PROMETHEUS_URL)"
			prometheus=skip
		fi
		up_kafka
		up_jaeger
		[[ "$prometheus" == skip ]] || up_prometheus
		;;
	down)
		stop prometheus jaeger kfake
		;;
	*)
		die "usage: $0 up [--prometheus-optional] | down"
		;;
	esac
}

main "$@"
