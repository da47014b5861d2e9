package semconv_test

import (
	"fmt"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/kafkatrace/kafkatrace/semconv"
)

// Span names are "{operation} {topic}", or the operation alone.
func ExampleSpanName() {
	fmt.Println(semconv.SpanName(semconv.Process, "orders"))
	fmt.Println(semconv.SpanName(semconv.Send, ""))
	// Output:
	// process orders
	// send
}

// error.type of a kafka.Error is librdkafka's name for its code: a small,
// fixed set, safe as a metric or span attribute.
func ExampleErrorType() {
	err := kafka.NewError(kafka.ErrMsgTimedOut, "message timed out after 3 retries", false)
	kv := semconv.ErrorType(err)
	fmt.Printf("%s=%s\n", kv.Key, kv.Value.AsString())
	// Output:
	// error.type=Local: Message timed out
}
