package semconv

// Operation is a messaging operation name as used in span names and in
// messaging.operation.name.
type Operation string

// The operations kafkatrace records.
const (
	Send    Operation = "send"    // a Produce, from enqueue to delivery report
	Receive Operation = "receive" // a message returned by drop-in Poll/ReadMessage/Events
	Process Operation = "process" // a handler processing one message
)

// SpanName returns "{op} {topic}", or op alone when topic is empty. It is
// the default span name (see interceptor.WithSpanNameFormatter).
func SpanName(op Operation, topic string) string {
	if topic == "" {
		return string(op)
	}
	return string(op) + " " + topic
}

// NameFormatter builds a span name from an operation and a topic. It must be
// a pure function of its arguments: results are cached per topic.
type NameFormatter func(op Operation, topic string) string
