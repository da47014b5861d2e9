package semconv

import (
	"errors"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel/attribute"
	sc "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// SchemaURL is the schema of the semantic conventions these attributes follow.
const SchemaURL = sc.SchemaURL

// Attribute keys kafkatrace uses, re-exported so users and the sampling
// package need not pin a semconv version of their own.
const (
	DestinationNameKey = sc.MessagingDestinationNameKey
	PartitionIDKey     = sc.MessagingDestinationPartitionIDKey
	OffsetKey          = sc.MessagingKafkaOffsetKey
	ConsumerGroupKey   = sc.MessagingConsumerGroupNameKey
	MessageKeyKey      = sc.MessagingKafkaMessageKeyKey
	BodySizeKey        = sc.MessagingMessageBodySizeKey
	ErrorTypeKey       = sc.ErrorTypeKey

	// TimeInQueueKey is how long a message waited in Kafka before a consumer
	// took it: the poll time minus the message timestamp, in milliseconds.
	// Not part of the OpenTelemetry conventions, hence the kafkatrace prefix.
	TimeInQueueKey = attribute.Key("kafkatrace.message.time_in_queue_ms")
)

// Topic returns the topic of tp, or "" when it is nil.
func Topic(tp kafka.TopicPartition) string {
	if tp.Topic == nil {
		return ""
	}
	return *tp.Topic
}

// Common holds the attributes shared by every span of one client; build it
// once per producer or consumer.
type Common struct {
	op    Operation
	attrs []attribute.KeyValue
}

// ClientInfo describes a client for [NewCommon]. Empty fields are omitted.
type ClientInfo struct {
	ClientID      string // messaging.client.id
	ServerAddress string // server.address: the first bootstrap server's host
	ConsumerGroup string // messaging.consumer.group.name
	Extra         []attribute.KeyValue
}

// NewCommon precomputes the client-wide attributes for op.
func NewCommon(op Operation, info ClientInfo) Common {
	a := []attribute.KeyValue{
		sc.MessagingSystemKafka,
		sc.MessagingOperationName(string(op)),
		operationType(op),
	}
	if info.ClientID != "" {
		a = append(a, sc.MessagingClientID(info.ClientID))
	}
	if info.ServerAddress != "" {
		a = append(a, sc.ServerAddress(info.ServerAddress))
	}
	if info.ConsumerGroup != "" {
		a = append(a, sc.MessagingConsumerGroupName(info.ConsumerGroup))
	}
	a = append(a, info.Extra...)
	return Common{op: op, attrs: a}
}

func operationType(op Operation) attribute.KeyValue {
	switch op {
	case Send:
		return sc.MessagingOperationTypeSend
	case Receive:
		return sc.MessagingOperationTypeReceive
	default:
		return sc.MessagingOperationTypeProcess
	}
}

// Len is the number of client-wide attributes.
func (c Common) Len() int { return len(c.attrs) }

// Opt selects the opt-in attributes.
type Opt struct {
	RecordKey      bool // messaging.kafka.message.key, valid UTF-8 keys only
	RecordBodySize bool // messaging.message.body.size
}

// AppendMessage appends to dst the client-wide attributes and those of msg
// known before it is sent or processed: destination, partition (when chosen),
// offset (received messages only: a message being sent has none until its
// delivery report), tombstone, and the opt-in key and body size.
func (c Common) AppendMessage(dst []attribute.KeyValue, msg *kafka.Message, opt Opt) []attribute.KeyValue {
	if msg == nil {
		return append(dst, c.attrs...)
	}
	dst = c.AppendTopic(dst, Topic(msg.TopicPartition))
	return appendPerMessage(dst, msg, opt, c.op != Send)
}

// AppendTopic appends the client-wide attributes and the destination: what
// is known of every message of a topic before looking at the message.
func (c Common) AppendTopic(dst []attribute.KeyValue, topic string) []attribute.KeyValue {
	dst = append(dst, c.attrs...)
	if topic != "" {
		dst = append(dst, sc.MessagingDestinationName(topic))
	}
	return dst
}

// AppendReceived appends what AppendMessage adds for a received message
// beyond AppendTopic: partition, offset, tombstone and the opt-in key and
// body size.
func AppendReceived(dst []attribute.KeyValue, msg *kafka.Message, opt Opt) []attribute.KeyValue {
	if msg == nil {
		return dst
	}
	return appendPerMessage(dst, msg, opt, true)
}

func appendPerMessage(dst []attribute.KeyValue, msg *kafka.Message, opt Opt, withOffset bool) []attribute.KeyValue {
	if p := msg.TopicPartition.Partition; p >= 0 {
		dst = append(dst, Partition(p))
	}
	if o := msg.TopicPartition.Offset; o >= 0 && withOffset {
		dst = append(dst, Offset(o))
	}
	if msg.Value == nil {
		dst = append(dst, sc.MessagingKafkaMessageTombstone(true))
	}
	if opt.RecordKey && msg.Key != nil && utf8.Valid(msg.Key) {
		dst = append(dst, sc.MessagingKafkaMessageKey(string(msg.Key)))
	}
	if opt.RecordBodySize {
		dst = append(dst, sc.MessagingMessageBodySize(len(msg.Value)))
	}
	return dst
}

// Partition returns messaging.destination.partition.id.
func Partition(p int32) attribute.KeyValue {
	return sc.MessagingDestinationPartitionID(strconv.FormatInt(int64(p), 10))
}

// Offset returns messaging.kafka.offset.
func Offset(o kafka.Offset) attribute.KeyValue {
	return sc.MessagingKafkaOffset(int(o))
}

// TimeInQueue returns kafkatrace.message.time_in_queue_ms for a message with
// timestamp ts taken at now; ok is false when ts is unset or in the future
// (clock skew), in which case nothing should be recorded.
func TimeInQueue(ts, now time.Time) (kv attribute.KeyValue, ok bool) {
	if ts.IsZero() || ts.After(now) {
		return attribute.KeyValue{}, false
	}
	return TimeInQueueKey.Int64(now.Sub(ts).Milliseconds()), true
}

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
