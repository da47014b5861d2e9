// Package cli is the kafkatrace command (cmd/kafkatrace): find the trace of
// any Kafka message, and see what a consumer group has really finished.
//
//	kafkatrace inspect -t TOPIC [-p PARTITION] [-o OFFSET [--count N] | --last N] [--follow]
//	kafkatrace trace (TRACE_ID | -t TOPIC -p PARTITION -o OFFSET) --jaeger URL [--width N]
//	kafkatrace group -g GROUP [-t TOPIC]
//
// It follows the conventions of Kafka's own tools and kcat: every
// subcommand takes -b/--bootstrap-server (default $KAFKA_BOOTSTRAP_SERVERS),
// -X key=value for any librdkafka property (security settings included),
// --json for one JSON object per line, --timeout (default 10s), -v for
// librdkafka's logs on stderr (they are discarded otherwise) and -h/--help.
// Flags may follow positional arguments. Brokers are read with a plain
// consumer that assigns partitions by hand: it never joins a group nor
// commits.
//
// # Exit codes and errors
//
//	0  done
//	1  failed: brokers unreachable, topic, partition, offset or group missing,
//	   Jaeger unreachable, trace not found
//	2  bad flags or arguments
//
// An error is one line on stderr, "kafkatrace: <subcommand>: <what> (<hint>)".
// Every network operation (metadata, offsets, a read without progress, a
// Jaeger request) is bounded by --timeout, so a bad address fails within it.
//
// # inspect
//
// Shows messages with their trace context decoded. Without -o it shows the
// last 10 messages of each partition (--last N); -o OFFSET (with -p) shows
// that message, or --count messages from it; --follow then keeps printing
// new messages until interrupted (alone, from the end). Headers are matched
// by name case-insensitively in one pass, whatever their number: traceparent
// (W3C: lowercase hex, no all-zero IDs, version ff invalid), tracestate and
// baggage (members, baggage values percent-decoded, 32 listed at most),
// uber-trace-id (Jaeger, plain or URL-encoded), b3 and X-B3-*. Of duplicate
// headers the first is decoded and the others counted. Values that are not
// valid are shown as such: the reason, and the value with control
// characters, quotes and invalid UTF-8 escaped as in a Go string literal,
// cut to 256 bytes with "… (N bytes)". Other headers are only counted,
// unless --all-headers lists the first 32. Keys are shown with --show-key.
//
// One JSON object per message (fields omitted when empty):
//
//	topic, partition, offset
//	timestamp        RFC 3339 UTC, with milliseconds; absent without one
//	timestamp_type   "create", "log_append" or "none"
//	age_ms           now - timestamp
//	key              escaped key, null for none (only with --show-key)
//	headers          number of headers
//	other_headers    headers that are not trace context
//	other_header_list  [{key, value}] (only with --all-headers)
//	trace {
//	  traceparent    {valid, version, trace_id, parent_span_id, flags, sampled}
//	  tracestate     {members: [{key, value, error}], more}
//	  baggage        {members: [{key, value, properties, error}], more}
//	  uber_trace_id  {valid, trace_id, span_id, parent_span_id, flags, sampled, debug}
//	  b3, b3_multi   {valid, trace_id, span_id, parent_span_id, sampling, sampled, debug}
//	  trace_id       the message's trace: from the first valid of the above
//	  trace_id_from  "traceparent", "uber-trace-id", "b3" or "x-b3"
//	  url            its page in Jaeger, with --jaeger or $JAEGER_QUERY_URL
//	}
//
// Each header object also has, when it applies: error (why it is invalid),
// raw (its escaped, truncated value), size (its length in bytes) and
// duplicates. Trace IDs are 32 lowercase hex digits (64-bit ones padded),
// span IDs 16.
//
// # trace
//
// Fetches a trace from Jaeger's query API (--jaeger or $JAEGER_QUERY_URL,
// the address of its UI) and prints it with the demo's waterfall renderer
// (package tracetree), fitted to the terminal (--width to choose); --json
// prints the trace object as Jaeger sent it, on one line. With -t/-p/-o
// the trace ID is the message's (see trace_id above). A trace Jaeger does
// not have is an error that says why it may be missing.
//
// # group
//
// One row (one JSON object) per partition the group committed (of -t TOPIC
// only, whose partitions without a commit are shown too):
//
//	group, topic, partition
//	committed                  committed offset, null without a commit
//	log_start, end             the partition's low and high watermarks
//	lag                        end - committed (end - log_start without a commit)
//	metadata                   the commit's metadata: "kafkatrace" (a finished-
//	                           offsets record), "none", "foreign" (another
//	                           tool's) or "invalid" (a damaged record)
//	finished_above_committed   offsets above the commit already finished
//	highest_finished           the highest of them, or null
//	unfinished                 lag - finished_above_committed
//	oldest_unfinished          the first unfinished offset: the committed one
//	                           (or the next message there), null when none
//	oldest_unfinished_timestamp, oldest_unfinished_age_ms
//	                           its timestamp, and how long it has waited since
//	oldest_unfinished_error    why it could not be read, if so
//	error                      the broker's error for the partition, if any
//
// A group with no committed offsets is reported as not found (exit 1).
package cli
