package cli_test

import (
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func hdr(kv ...string) []kafka.Header {
	var hs []kafka.Header
	for i := 0; i < len(kv); i += 2 {
		hs = append(hs, kafka.Header{Key: kv[i], Value: []byte(kv[i+1])})
	}
	return hs
}

// Messages from a plain producer with hand-written Jaeger and B3 headers:
// inspect decodes each format and takes the trace ID from it.
func TestInspectLegacyHeaders(t *testing.T) {
	topic := unique(t, "t")
	mc := mockCluster(t, topic, 1)
	p := rawProducer(t, mc.BootstrapServers(), nil)
	produce(t, p, topic,
		&kafka.Message{Headers: hdr("uber-trace-id", "abc123:def456:0:1")},
		&kafka.Message{Headers: hdr("uber-trace-id", "4bf92f3577b34da6a3ce929d0e0e4736%3A00f067aa0ba902b7%3A1122334455667788%3A3")},
		&kafka.Message{Headers: hdr("b3", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90")},
		&kafka.Message{Headers: hdr("X-B3-TraceId", "463ac35c9f6413ad", "X-B3-SpanId", "a2fb4a1d1a96d312", "X-B3-ParentSpanId", "0020000000000001", "X-B3-Sampled", "0")},
		&kafka.Message{Headers: hdr("b3", "d")},
		&kafka.Message{Headers: hdr("x-b3-traceid", "463ac35c9f6413ad48485a3953bb6124", "x-b3-spanid", "a2fb4a1d1a96d312", "x-b3-flags", "1", "app", "x")},
		&kafka.Message{Value: []byte("no headers")},
	)
	bs := mc.BootstrapServers()
	out := run(t, "inspect", "-b", bs, "-t", topic, "-p", "0", "-o", "0", "--count", "7", "--json", "--jaeger", "http://j:16686").ok(t)
	t.Logf("inspect --json:\n%s", out)
	recs := jsonLines(t, out)
	require.Len(t, recs, 7)

	assert.Equal(t, map[string]any{"valid": true, "trace_id": "00000000000000000000000000abc123", "span_id": "0000000000def456",
		"flags": "1", "sampled": true}, get(t, recs[0], "trace", "uber_trace_id"))
	assert.Equal(t, "00000000000000000000000000abc123", get(t, recs[0], "trace", "trace_id"))
	assert.Equal(t, "uber-trace-id", get(t, recs[0], "trace", "trace_id_from"))
	assert.Equal(t, "http://j:16686/trace/00000000000000000000000000abc123", get(t, recs[0], "trace", "url"))

	assert.Equal(t, map[string]any{"valid": true, "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "span_id": "00f067aa0ba902b7",
		"parent_span_id": "1122334455667788", "flags": "3", "sampled": true, "debug": true}, get(t, recs[1], "trace", "uber_trace_id"), "URL-encoded")

	assert.Equal(t, map[string]any{"valid": true, "trace_id": "80f198ee56343ba864fe8b2a57d3eff7", "span_id": "e457b5a2e4d86bd1",
		"parent_span_id": "05e3ac9a4f6e3b90", "sampling": "1", "sampled": true}, get(t, recs[2], "trace", "b3"))
	assert.Equal(t, "b3", get(t, recs[2], "trace", "trace_id_from"))

	assert.Equal(t, map[string]any{"valid": true, "trace_id": "0000000000000000463ac35c9f6413ad", "span_id": "a2fb4a1d1a96d312",
		"parent_span_id": "0020000000000001", "sampling": "0", "sampled": false}, get(t, recs[3], "trace", "b3_multi"))
	assert.Equal(t, "x-b3", get(t, recs[3], "trace", "trace_id_from"))

	assert.Equal(t, map[string]any{"valid": true, "sampling": "d", "sampled": true, "debug": true}, get(t, recs[4], "trace", "b3"))
	assert.NotContains(t, get(t, recs[4], "trace"), "trace_id", "a sampling decision alone names no trace")

	assert.Equal(t, map[string]any{"valid": true, "trace_id": "463ac35c9f6413ad48485a3953bb6124", "span_id": "a2fb4a1d1a96d312",
		"sampling": "d", "sampled": true, "debug": true}, get(t, recs[5], "trace", "b3_multi"), "header names are case-insensitive")
	assert.EqualValues(t, 1, get(t, recs[5], "other_headers"))

	assert.Equal(t, map[string]any{}, get(t, recs[6], "trace"))

	human := run(t, "inspect", "-b", bs, "-t", topic, "-p", "0", "-o", "0", "--count", "7").ok(t)
	for _, want := range []string{
		"  uber-trace-id  trace 00000000000000000000000000abc123  span 0000000000def456  parent none  sampled\n",
		"  uber-trace-id  trace 4bf92f3577b34da6a3ce929d0e0e4736  span 00f067aa0ba902b7  parent 1122334455667788  sampled (debug)\n",
		"  b3             trace 80f198ee56343ba864fe8b2a57d3eff7  span e457b5a2e4d86bd1  parent 05e3ac9a4f6e3b90  sampled\n",
		"  X-B3-*         trace 0000000000000000463ac35c9f6413ad  span a2fb4a1d1a96d312  parent 0020000000000001  not sampled\n",
		"  b3             no IDs, sampled (debug)\n",
		"  trace          none (no traceparent, uber-trace-id or b3 headers)\n",
	} {
		assert.Contains(t, human, want)
	}
	t.Logf("inspect output:\n%s", human)
}
