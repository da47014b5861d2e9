package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// FuzzInspect feeds arbitrary trace headers to inspect's decoder and both
// printers: no panic, valid JSON, valid UTF-8 text without control
// characters other than newlines, and output bounded whatever the input.
func FuzzInspect(f *testing.F) {
	f.Add("traceparent", []byte("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), "tracestate", []byte("a=1,b=2"))
	f.Add("uber-trace-id", []byte("4bf92f3577b34da6a3ce929d0e0e4736:00f067aa0ba902b7:0:1"), "b3", []byte("80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1"))
	f.Add("X-B3-TraceId", []byte("463ac35c9f6413ad"), "baggage", []byte("k=v%20w;p=1,x=%ff"))
	f.Add("trace\xffparent", []byte("\xff\xfe\x1b[31m"), "TRACEPARENT", []byte("ff-00000000000000000000000000000000-0000000000000000-00"))
	f.Fuzz(func(t *testing.T, k1 string, v1 []byte, k2 string, v2 []byte) {
		m := &kafka.Message{
			TopicPartition: kafka.TopicPartition{Topic: &k1, Partition: 0, Offset: 7},
			Key:            v2,
			Timestamp:      time.Unix(1700000000, 0),
			Headers:        []kafka.Header{{Key: k1, Value: v1}, {Key: k2, Value: v2}, {Key: k1, Value: v2}},
		}
		var r *record
		var text bytes.Buffer
		done := make(chan struct{})
		go func() {
			defer close(done)
			r = newRecord(m, time.Unix(1700000001, 0), recordOptions{showKey: true, allHeaders: true, jaeger: "http://jaeger:16686"})
			printRecord(&text, r)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			panic(fmt.Sprintf("decoding took over 5s: %q %q %q %q", k1, v1, k2, v2))
		}
		out := text.Bytes()
		if !utf8.Valid(out) {
			t.Fatalf("invalid UTF-8 in the text output: %q", out)
		}
		for _, c := range string(out) {
			if c < 0x20 && c != '\n' || c == 0x7f {
				t.Fatalf("control character %U in the text output: %q", c, out)
			}
		}
		if limit := 8<<10 + 4*len(k1) + 4*len(k2); len(out) > limit {
			t.Fatalf("text output of %d bytes for %d bytes of headers", len(out), len(k1)+len(k2)+2*len(v1)+2*len(v2))
		}
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("JSON: %v", err)
		}
		if !json.Valid(b) {
			t.Fatalf("invalid JSON: %s", b)
		}
	})
}
