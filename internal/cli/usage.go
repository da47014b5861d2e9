package cli

// commonUsage documents the flags every subcommand takes.
const commonUsage = `
Connection and output:
  -b, --bootstrap-server HOSTS brokers, host:port[,...] (default $KAFKA_BOOTSTRAP_SERVERS)
  -X key=value                 any librdkafka property, repeatable
                               (e.g. -X security.protocol=SASL_SSL -X sasl.mechanism=PLAIN)
      --json                   one JSON object per line, for scripts
      --timeout DURATION       bound of every network operation (default 10s)
  -v                           show librdkafka's logs on stderr
  -h, --help                   this help

Exit codes: 0 done, 1 failed (brokers, topic, group, Jaeger or trace unreachable
or not found), 2 bad flags or arguments.
`

// mainUsage is the help of the command itself.
const mainUsage = `Usage: kafkatrace COMMAND [flags]

Find the trace of any Kafka message, and see what a consumer group has really
finished.

Commands:
  inspect   show messages with their trace context decoded
            kafkatrace inspect -t TOPIC [-p PARTITION] [-o OFFSET | --last N] [--follow]
  trace     print a message's trace from Jaeger as a waterfall tree
            kafkatrace trace (TRACE_ID | -t TOPIC -p PARTITION -o OFFSET) --jaeger URL
  group     per partition: committed offset, end, lag, finished offsets above the
            commit and the oldest unfinished message
            kafkatrace group -g GROUP [-t TOPIC]
  version   print the version

Run kafkatrace COMMAND --help for a command's flags.
` + commonUsage
