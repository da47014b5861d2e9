package semconv_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/otel/attribute"
	"go.uber.org/goleak"

	"github.com/kafkatrace/kafkatrace/internal/spanattr"
	"github.com/kafkatrace/kafkatrace/semconv"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestSpanName(t *testing.T) {
	assert.Equal(t, "send orders", semconv.SpanName(semconv.Send, "orders"))
	assert.Equal(t, "process", semconv.SpanName(semconv.Process, ""))
}

func TestNameCacheUsesFormatterOncePerTopic(t *testing.T) {
	calls := 0
	c := spanattr.NewNameCache(semconv.Receive, func(op semconv.Operation, topic string) string {
		calls++
		return strings.ToUpper(string(op) + ":" + topic)
	})
	assert.Equal(t, "RECEIVE:A", c.Name("a"))
	assert.Equal(t, "RECEIVE:A", c.Name("a"))
	assert.Equal(t, 1, calls)
	assert.Equal(t, "send x", spanattr.NewNameCache(semconv.Send, nil).Name("x"))
}

func TestNameCacheBoundedAndConcurrent(t *testing.T) {
	c := spanattr.NewNameCache(semconv.Send, nil)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Go(func() {
			for i := 0; i < 6000; i++ {
				topic := fmt.Sprint("t", i)
				if got := c.Name(topic); got != "send "+topic {
					t.Errorf("got %q", got)
					return
				}
			}
		})
	}
	wg.Wait()
}

func attrMap(kvs []attribute.KeyValue) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range kvs {
		m[kv.Key] = kv.Value
	}
	return m
}

func TestAppendMessage(t *testing.T) {
	topic := "orders"
	c := spanattr.NewCommon(semconv.Send, spanattr.ClientInfo{ClientID: "svc", ServerAddress: "broker1",
		Extra: []attribute.KeyValue{attribute.String("team", "a")}})
	msg := &kafka.Message{
		TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 2, Offset: kafka.OffsetEnd},
		Key:            []byte("k1"), Value: []byte("hello"),
	}
	m := attrMap(c.AppendMessage(nil, msg, spanattr.Opt{}))
	assert.Equal(t, "kafka", m["messaging.system"].AsString())
	assert.Equal(t, "send", m["messaging.operation.name"].AsString())
	assert.Equal(t, "send", m["messaging.operation.type"].AsString())
	assert.Equal(t, "orders", m["messaging.destination.name"].AsString())
	assert.Equal(t, "2", m["messaging.destination.partition.id"].AsString())
	assert.Equal(t, "svc", m["messaging.client.id"].AsString())
	assert.Equal(t, "broker1", m["server.address"].AsString())
	assert.Equal(t, "a", m["team"].AsString())
	assert.NotContains(t, m, attribute.Key("messaging.kafka.offset"), "logical offsets are not recorded")

	// A message being sent has no offset yet, whatever its zero value says.
	msg.TopicPartition.Offset = 0
	assert.NotContains(t, attrMap(c.AppendMessage(nil, msg, spanattr.Opt{})), semconv.OffsetKey)
	assert.NotContains(t, m, semconv.MessageKeyKey, "key is opt-in")
	assert.NotContains(t, m, semconv.BodySizeKey, "body size is opt-in")
	assert.NotContains(t, m, attribute.Key("messaging.kafka.message.tombstone"))

	m = attrMap(c.AppendMessage(nil, msg, spanattr.Opt{RecordKey: true, RecordBodySize: true}))
	assert.Equal(t, "k1", m[semconv.MessageKeyKey].AsString())
	assert.Equal(t, int64(5), m[semconv.BodySizeKey].AsInt64())
}

func TestAppendMessageNilSafe(t *testing.T) {
	c := spanattr.NewCommon(semconv.Process, spanattr.ClientInfo{ConsumerGroup: "g"})
	m := attrMap(c.AppendMessage(nil, &kafka.Message{
		TopicPartition: kafka.TopicPartition{Partition: kafka.PartitionAny, Offset: 7},
		Key:            []byte{0xff, 0xfe}, // not UTF-8
	}, spanattr.Opt{RecordKey: true}))
	assert.NotContains(t, m, semconv.DestinationNameKey)
	assert.NotContains(t, m, semconv.PartitionIDKey)
	assert.NotContains(t, m, semconv.MessageKeyKey, "invalid UTF-8 key is not recorded")
	assert.Equal(t, int64(7), m[semconv.OffsetKey].AsInt64())
	assert.Equal(t, "g", m[semconv.ConsumerGroupKey].AsString())
	assert.True(t, m["messaging.kafka.message.tombstone"].AsBool())
	for k, v := range m {
		assert.NotContains(t, v.String(), "0x", "attribute %s prints a pointer", k)
	}
	assert.Len(t, c.AppendMessage(nil, nil, spanattr.Opt{RecordKey: true}), c.Len())
}

func TestTimeInQueue(t *testing.T) {
	now := time.Now()
	kv, ok := spanattr.TimeInQueue(now.Add(-1500*time.Millisecond), now)
	assert.True(t, ok)
	assert.Equal(t, int64(1500), kv.Value.AsInt64())
	_, ok = spanattr.TimeInQueue(time.Time{}, now)
	assert.False(t, ok)
	_, ok = spanattr.TimeInQueue(now.Add(time.Second), now)
	assert.False(t, ok, "clock skew is not recorded as a negative wait")
}

func TestErrorType(t *testing.T) {
	kerr := kafka.NewError(kafka.ErrMsgTimedOut, "timed out", false)
	assert.Equal(t, kafka.ErrMsgTimedOut.String(), semconv.ErrorType(kerr).Value.AsString())
	assert.Equal(t, kafka.ErrMsgTimedOut.String(), semconv.ErrorType(fmt.Errorf("wrapped: %w", kerr)).Value.AsString())
	assert.Equal(t, "*errors.errorString", semconv.ErrorType(errors.New("x")).Value.AsString())
}
