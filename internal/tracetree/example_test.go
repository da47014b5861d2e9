package tracetree_test

import (
	"os"
	"time"

	"github.com/kafkatrace/kafkatrace/internal/tracetree"
)

func ExampleRender() {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ms := func(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }
	const id = "4bf92f3577b34da6a3ce929d0e0e4736"
	spans := []tracetree.Span{
		{TraceID: id, SpanID: "00f067aa0ba902b7", Name: "place order", Service: "orders", Start: t0, Duration: ms(2.1)},
		{TraceID: id, SpanID: "a2fb4a1d1a96d312", ParentID: "00f067aa0ba902b7", Name: "send orders", Service: "orders",
			Kind: "producer", Start: t0.Add(ms(0.2)), Duration: ms(1.8),
			Attrs: map[string]string{"messaging.destination.partition.id": "2", "messaging.kafka.offset": "41"}},
		{TraceID: id, SpanID: "5b8aa5a2d2c872e8", ParentID: "a2fb4a1d1a96d312", Name: "process orders", Service: "payments",
			Kind: "consumer", Start: t0.Add(ms(9.8)), Duration: ms(6.3),
			Attrs: map[string]string{"messaging.destination.partition.id": "2", "messaging.kafka.offset": "41",
				"messaging.consumer.group.name": "payments", "kafkatrace.message.time_in_queue_ms": "8"}},
		{TraceID: id, SpanID: "b7ad6b7169203331", ParentID: "5b8aa5a2d2c872e8", Name: "send payments", Service: "payments",
			Kind: "producer", Start: t0.Add(ms(13.2)), Duration: ms(1.7),
			Attrs: map[string]string{"messaging.destination.partition.id": "0", "messaging.kafka.offset": "17"}},
		{TraceID: id, SpanID: "c8bd7c827a314442", Name: "process payments", Service: "notifications",
			Kind: "consumer", Start: t0.Add(ms(24.1)), Duration: ms(4.2), Links: []string{"b7ad6b7169203331"},
			Error: true, StatusMessage: `template "receipt" not found`},
	}
	tracetree.Render(os.Stdout, spans, tracetree.Options{Width: 80, Link: "http://127.0.0.1:16686/trace/" + id})
	// Output:
	// trace 4bf92f3577b34da6a3ce929d0e0e4736  5 spans, 3 services, 28.3ms
	//   http://127.0.0.1:16686/trace/4bf92f3577b34da6a3ce929d0e0e4736
	//   orders        place order            |█           | 2.1ms
	//   orders        └─ send orders         |█           | 1.8ms  p2 @41
	//   payments         └─ process orders   |    ███     | 6.3ms  p2 group=payments
	//   payments            └─ send payments |     ██     | 1.7ms  p0 @17
	//   notifications process payments       |          ██| 4.2ms  ERROR template "re…
}
