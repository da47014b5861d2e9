// Package interceptor is the one import a service needs: drop-in traced
// versions of confluent-kafka-go's Producer and Consumer.
//
// Swap the constructor and keep the rest of the code:
//
//	-p, err := kafka.NewProducer(conf)
//	+p, err := interceptor.NewProducer(conf)
//
// [Producer] has every method of *kafka.Producer with the same signature and
// meaning. Each message gets a "send {topic}" PRODUCER span whose W3C trace
// context (traceparent, tracestate, baggage) is written into the message
// headers, and which ends when the delivery report arrives: with the
// partition and offset on success, with an error status and error.type on
// failure, or with "producer closed before delivery" if Close comes first.
// Reports are correlated through Opaque; the application gets its own Opaque
// back, on its deliveryChan or on Events(), as before. No goroutine is started
// per message: one goroutine per producer routes reports.
//
// # Span lineage
//
//	call                          starts                   ends
//	Produce / ProduceContext      send {topic} (PRODUCER)  delivery report, Produce error, or Close
//
// # Parents
//
// Produce continues the trace context already in the message's headers, if
// any, else starts a new trace. ProduceContext takes the parent from ctx, and
// falls back to the headers when ctx has no span.
//
// # Defaults
//
// The TracerProvider and propagator are the globals when no option is given.
// When the global propagator is still OpenTelemetry's no-op default, W3C
// TraceContext + Baggage is used, so headers are written out of the box. The
// globals are read when the Producer is built.
//
// Only span attributes known at start (system, operation, topic, chosen
// partition, client id, server address, and the opt-in key and body size) are
// passed to Start, so a sampler sees them.
//
// # Limits
//
// go.batch.producer=true is rejected: librdkafka's batch producer drops
// headers. Unsampled messages are handed to librdkafka with the user's own
// deliveryChan and cost little more than injecting the headers.
package interceptor
