// Command kafkatrace finds the trace of any Kafka message and shows what a
// consumer group has really finished.
//
// Install it (it needs cgo, like confluent-kafka-go):
//
//	go install github.com/kafkatrace/kafkatrace/cmd/kafkatrace@latest
//
// Usage:
//
//	kafkatrace inspect -t TOPIC [-p PARTITION] [-o OFFSET | --last N] [--follow]
//	kafkatrace trace (TRACE_ID | -t TOPIC -p PARTITION -o OFFSET) --jaeger URL
//	kafkatrace group -g GROUP [-t TOPIC]
//
// Every command takes -b/--bootstrap-server (default $KAFKA_BOOTSTRAP_SERVERS),
// -X key=value for any librdkafka property, --json for one JSON object per
// line, --timeout (default 10s) and --help. Exit codes: 0 done, 1 failed
// (brokers, topic, group, Jaeger or trace unreachable or not found), 2 bad
// flags or arguments. See package internal/cli for the details and the JSON
// fields.
package main

import (
	"os"

	"github.com/kafkatrace/kafkatrace/internal/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr)) }
