package semconv

import (
	"errors"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel/attribute"
	sc "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// SchemaURL is the schema of the semantic conventions these attributes follow.
const SchemaURL = sc.SchemaURL

// Attribute keys kafkatrace records, re-exported so users need not pin a
// semconv version of their own to query or sample on them.
const (
	DestinationNameKey = sc.MessagingDestinationNameKey
	PartitionIDKey     = sc.MessagingDestinationPartitionIDKey
	OffsetKey          = sc.MessagingKafkaOffsetKey
	ConsumerGroupKey   = sc.MessagingConsumerGroupNameKey
	MessageKeyKey      = sc.MessagingKafkaMessageKeyKey
	BodySizeKey        = sc.MessagingMessageBodySizeKey
	ErrorTypeKey       = sc.ErrorTypeKey
	// BatchMessageCountKey is the number of messages in a batch's process
	// span (Consumer.RunBatch).
	BatchMessageCountKey = sc.MessagingBatchMessageCountKey

	// TimeInQueueKey is how long a message waited in Kafka before a consumer
	// took it: the poll time minus the message timestamp, in milliseconds.
	// Not part of the OpenTelemetry conventions, hence the kafkatrace prefix.
	TimeInQueueKey = attribute.Key("kafkatrace.message.time_in_queue_ms")
)

// ErrorType returns error.type for err: the librdkafka error name for a
// kafka.Error (a small, fixed set such as "Local: Message timed out"), else
// the error's Go type as the OpenTelemetry helper reports it.
func ErrorType(err error) attribute.KeyValue {
	var ke kafka.Error
	if errors.As(err, &ke) {
		return ErrorTypeKey.String(ke.Code().String())
	}
	return sc.ErrorType(err)
}
