// Package semconv names kafkatrace's Kafka spans and the attributes they
// carry, following the OpenTelemetry messaging semantic conventions pinned to
// go.opentelemetry.io/otel/semconv/v1.43.0 ([SchemaURL]).
//
// Span names are "{operation} {topic}": "send orders" (PRODUCER),
// "receive orders" (CLIENT, drop-in Poll/ReadMessage) and "process orders"
// (CONSUMER, one per handled message). When the topic is unknown the name is
// the operation alone. A [NameFormatter] given to
// interceptor.WithSpanNameFormatter replaces [SpanName].
//
// The message key is recorded ([MessageKeyKey]) only when the application
// opts in and only when it is valid UTF-8; the body is never recorded, only
// its size ([BodySizeKey]), and only when opted in.
package semconv
