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
// [Consumer] has every method of *kafka.Consumer. The drop-in Poll,
// ReadMessage and Events record a "receive {topic}" CLIENT span linked to the
// producer's. [Consumer.Run] runs every message in its own goroutine with its
// own ctx and "process {topic}" CONSUMER span (a child of the producer's
// send span), keeping per-key or per-partition order and committing only
// finished work (see package poller); [Consumer.RunBatch] does the same for
// batch handlers (bulk inserts), with one span per batch linked to every
// message's producer span; [Consumer.StartProcess] gives the process span to
// applications with their own poll loop.
//
// # Span lineage
//
//	call                          starts                        ends
//	Produce / ProduceContext      send {topic} (PRODUCER)       delivery report, Produce error, or Close
//	Poll / ReadMessage / Events   receive {topic} (CLIENT)      when the call returns the message
//	Run                           process {topic} (CONSUMER)    when the handler returns (after retries and dead-lettering)
//	RunBatch                      process {topic} (CONSUMER)    when the batch handler returns (after retries and dead-lettering)
//	                              one per batch, linked to each message's send span
//	WithDeadLetter                send {dlq} (PRODUCER)         at the dead-letter delivery report; child of the failed process span
//	StartProcess                  process {topic} (CONSUMER)    by the caller
//
// # Running it
//
// Run needs nothing but this package: [WithOrdering] ([ByKey], [ByPartition],
// [Unordered]), [WithMaxInFlight], [WithRetry] with [ExponentialBackoff],
// [WithFailurePolicy] ([StopOnFailure], [SkipOnFailure]) or [WithDeadLetter],
// [WithBatch] for [Consumer.RunBatch] and [*BatchError], [WithCommitInterval]
// (a consumer with enable.auto.commit=false commits finished work itself every
// auto.commit.interval.ms), and the errors it returns ([*HandlerError],
// [ErrRewind]) or refuses with ([ErrNotSubscribed], [ErrRunActive], ...). Errors it meets where it cannot return them (a failed
// commit on revoke, a failed pause) reach [WithEventHandler] as
// [*AsyncError], or otel.Handle without one. When Run returns, every
// partition is rewound to its first unfinished message, so Run or Poll can
// be called again without losing one.
//
// # Metrics
//
// The same Producer and Consumer record OpenTelemetry metrics through
// [WithMeterProvider] (default: the global MeterProvider, so nothing is
// recorded until the application installs an SDK): the messaging metrics of
// the pinned semantic conventions (messaging.client.sent.messages at each
// delivery report, messaging.client.operation.duration,
// messaging.client.consumed.messages, messaging.process.duration), the time
// a message waited in Kafka (kafkatrace.message.time_in_queue), per-partition
// lag and client gauges from librdkafka statistics when
// statistics.interval.ms is set (kafka.consumer.records_lag, ...), and Run's
// health (kafkatrace.consumer.handlers.running, .messages.buffered,
// .partitions.paused, .offsets.unsettled). Recording does not depend on
// sampling, and no key, offset or payload is ever an attribute. The README
// lists every instrument with its unit and attributes.
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
// The attributes a sampler needs (messaging.system, the operation, the topic,
// the consumer group, client id and server address, and for a message being
// sent its chosen partition and the opt-in key and body size) are passed to
// Start, from options cached per topic. A received message's partition,
// offset and time in queue are added once the span is known to record, so
// an unsampled message costs no attribute building.
//
// # Limits
//
// go.batch.producer=true is rejected: librdkafka's batch producer drops
// headers. Unsampled messages are handed to librdkafka with the user's own
// deliveryChan (or, without one, to the producer's router) and cost little
// more than injecting the headers; while metrics are recorded, their reports
// come back through the router too, to be counted at the delivery report.
package interceptor
