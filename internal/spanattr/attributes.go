package spanattr

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel/attribute"
	sc "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/kafkatrace/kafkatrace/semconv"
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
	op    semconv.Operation
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
func NewCommon(op semconv.Operation, info ClientInfo) Common {
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

func operationType(op semconv.Operation) attribute.KeyValue {
	switch op {
	case semconv.Send:
		return sc.MessagingOperationTypeSend
	case semconv.Receive:
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
	return appendPerMessage(dst, msg, opt, c.op != semconv.Send)
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
	return semconv.TimeInQueueKey.Int64(now.Sub(ts).Milliseconds()), true
}
