package semconv_test

import (
	"fmt"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/kafkatrace/kafkatrace/semconv"
)

// Span names are "{operation} {topic}", formatted once per topic.
func ExampleNameCache() {
	names := semconv.NewNameCache(semconv.Process, nil)
	fmt.Println(names.Name("orders"))
	fmt.Println(semconv.SpanName(semconv.Send, ""))
	// Output:
	// process orders
	// send
}

// Attributes for a span start: client-wide ones computed once, per-message
// ones appended to a reusable buffer. The key is recorded only on request.
func ExampleCommon_AppendMessage() {
	common := semconv.NewCommon(semconv.Send, semconv.ClientInfo{ClientID: "checkout"})
	topic := "orders"
	msg := &kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 2}, Key: []byte("k"), Value: []byte("v")}
	for _, kv := range common.AppendMessage(nil, msg, semconv.Opt{RecordKey: true}) {
		fmt.Printf("%s=%s\n", kv.Key, kv.Value.String())
	}
	// Output:
	// messaging.system=kafka
	// messaging.operation.name=send
	// messaging.operation.type=send
	// messaging.client.id=checkout
	// messaging.destination.name=orders
	// messaging.destination.partition.id=2
	// messaging.kafka.message.key=k
}
