// Package semconv names Kafka spans and builds their attributes following the
// OpenTelemetry messaging semantic conventions, pinned to
// go.opentelemetry.io/otel/semconv/v1.43.0 ([SchemaURL]).
//
// Span names are "{operation} {topic}": "send orders" (PRODUCER),
// "receive orders" (CLIENT, drop-in Poll/ReadMessage) and "process orders"
// (CONSUMER, one per handled message). When the topic is unknown the name is
// the operation alone.
//
// Attribute builders append to a caller-supplied slice so the hot path can use
// a stack buffer. Everything here is nil-safe: a nil topic or key never panics
// and never prints a pointer. The message key is recorded only when the caller
// opts in and only when it is valid UTF-8; the body is never recorded, only
// its size, and only when opted in.
package semconv
