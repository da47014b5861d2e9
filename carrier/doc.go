// Package carrier adapts Kafka message headers to OpenTelemetry's
// [propagation.TextMapCarrier], so any propagator (W3C TraceContext, Baggage,
// B3, ...) can read and write trace context on a confluent-kafka-go message.
//
// Rules the carrier follows, all of which are tested:
//
//   - Keys are matched exactly (Kafka header keys are case-sensitive byte
//     strings; the W3C propagators use lower-case keys).
//   - When a key occurs more than once, Get returns the last occurrence, as
//     OpenTelemetry Java's Kafka instrumentation does (Headers.lastHeader).
//   - Set replaces every occurrence of the key with a single header, so a
//     message never carries two traceparent headers.
//   - Set is copy-on-write: the first Set through a carrier copies the
//     message's header slice before changing it, so a header slice shared by
//     several messages (or by concurrent Produce calls) is never written
//     through.
//   - Get enforces the W3C limits on the list headers: a tracestate of more
//     than 32 list-members (or over 16447 bytes, 32 members of the longest
//     valid size) and a baggage of more than 64 list-members or 8192 bytes
//     are dropped whole, as if absent, and reported once per process through
//     otel.Handle. Dropped input never reaches a context, so it is never
//     propagated further.
//
// Most users never touch this package: the interceptor package injects and
// extracts for them. It is public for code that keeps its own produce or poll
// loop.
package carrier
