// Package kmetrics records kafkatrace's metrics for one producer or
// consumer: the OpenTelemetry messaging metrics of the pinned semantic
// conventions (messaging.client.sent.messages,
// messaging.client.operation.duration, messaging.client.consumed.messages,
// messaging.process.duration), the time a message waited in Kafka, and the
// gauges that librdkafka statistics and Run's state provide.
//
// Instruments are created once per client. Attribute sets are built once
// per (operation, topic, partition, error type) and reused, so recording
// allocates nothing in steady state; no key, offset or payload is ever an
// attribute, so cardinality stays bounded by topics × partitions. Every
// method is a no-op when the MeterProvider is OpenTelemetry's no-op one.
package kmetrics
