package cli_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/kafkatrace/kafkatrace/interceptor"
)

// jaegerJSON renders spans as Jaeger's query API does
// (GET /api/traces/{id}), one service.
func jaegerJSON(spans []sdktrace.ReadOnlySpan) map[string]any {
	var js []any
	for _, s := range spans {
		var refs []any
		if s.Parent().IsValid() {
			refs = append(refs, map[string]any{"refType": "CHILD_OF", "traceID": s.Parent().TraceID().String(), "spanID": s.Parent().SpanID().String()})
		}
		tags := []any{map[string]any{"key": "span.kind", "type": "string", "value": strings.ToLower(s.SpanKind().String())}}
		for _, kv := range s.Attributes() {
			tags = append(tags, map[string]any{"key": string(kv.Key), "type": "string", "value": kv.Value.String()})
		}
		js = append(js, map[string]any{
			"traceID": s.SpanContext().TraceID().String(), "spanID": s.SpanContext().SpanID().String(),
			"operationName": s.Name(), "references": refs,
			"startTime": s.StartTime().UnixMicro(), "duration": s.EndTime().Sub(s.StartTime()).Microseconds(),
			"tags": tags, "processID": "p1",
		})
	}
	return map[string]any{"traceID": spans[0].SpanContext().TraceID().String(), "spans": js,
		"processes": map[string]any{"p1": map[string]any{"serviceName": "checkout", "tags": []any{}}}}
}

// fakeJaeger serves the traces given by ID, and 404 for any other.
func fakeJaeger(t *testing.T, traces map[string]map[string]any) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := strings.TrimPrefix(r.URL.Path, "/api/traces/")
		w.Header().Set("Content-Type", "application/json")
		tr, ok := traces[id]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			_ = json.NewEncoder(w).Encode(map[string]any{"data": nil, "errors": []any{map[string]any{"code": 404, "msg": "trace not found"}}})
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"data": []any{tr}, "total": 1, "errors": nil})
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// trace takes the trace ID from the message's traceparent, fetches it
// from Jaeger and prints the shared waterfall, fitted to --width; --json
// prints Jaeger's trace on one line.
func TestTraceOfMessage(t *testing.T) {
	topic := unique(t, "t")
	mc := mockCluster(t, topic, 1)
	bs := mc.BootstrapServers()
	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	p, err := interceptor.NewProducer(&kafka.ConfigMap{"bootstrap.servers": bs}, interceptor.WithTracerProvider(tp))
	require.NoError(t, err)
	ctx, parent := tp.Tracer("test").Start(context.Background(), "handle checkout request with a rather long name")
	dc := make(chan kafka.Event, 1)
	require.NoError(t, p.ProduceContext(ctx, &kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0}, Value: []byte("v")}, dc))
	require.NoError(t, (<-dc).(*kafka.Message).TopicPartition.Error)
	parent.End()
	p.Close()
	spans := sr.Ended()
	require.Len(t, spans, 2)
	id := spans[0].SpanContext().TraceID().String()
	jaeger := fakeJaeger(t, map[string]map[string]any{id: jaegerJSON(spans)})

	for _, width := range []int{80, 100, 140} {
		out := run(t, "trace", "-b", bs, "-t", topic, "-p", "0", "-o", "0", "--jaeger", jaeger, "--width", strconv.Itoa(width)).ok(t)
		assert.Contains(t, out, "trace "+id)
		assert.Contains(t, out, jaeger+"/trace/"+id)
		assert.Contains(t, out, "send "+topic[:10], "the send span")
		assert.Contains(t, out, "checkout")
		for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			assert.LessOrEqual(t, utf8.RuneCountInString(line), width, "line fits %d columns: %q", width, line)
		}
		t.Logf("trace --width %d:\n%s", width, out)
	}

	// By ID, flags after it.
	byID := run(t, "trace", id, "--jaeger", jaeger, "--width", "100").ok(t)
	assert.Contains(t, byID, "trace "+id)

	out := run(t, "trace", id, "--jaeger", jaeger, "--json").ok(t)
	require.Equal(t, 1, strings.Count(out, "\n"), "one line")
	var tr map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &tr))
	assert.Equal(t, id, tr["traceID"])
	assert.Len(t, tr["spans"], 2)
	t.Logf("trace --json: %.300s…", out)
}

// A trace Jaeger does not have: one line saying why it may be missing;
// for an unsampled message, that it is unsampled.
func TestTraceNotFound(t *testing.T) {
	topic := unique(t, "t")
	mc := mockCluster(t, topic, 1)
	bs := mc.BootstrapServers()
	jaeger := fakeJaeger(t, nil)
	p := rawProducer(t, bs, nil)
	produce(t, p, topic,
		&kafka.Message{Headers: hdr("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")},
		&kafka.Message{Headers: hdr("app", "x")},
		&kafka.Message{Headers: hdr("traceparent", "garbage")},
		&kafka.Message{Headers: hdr("uber-trace-id", "4bf92f3577b34da6a3ce929d0e0e4737:00f067aa0ba902b7:0:1")},
	)

	line := run(t, "trace", "4bf92f3577b34da6a3ce929d0e0e4736", "--jaeger", jaeger).failed(t, 1,
		"trace 4bf92f3577b34da6a3ce929d0e0e4736 not found in Jaeger at "+jaeger, "unsampled", "exporter's batch", "another Jaeger")
	t.Logf("not found: %s", line)
	run(t, "trace", "-b", bs, "-t", topic, "-p", "0", "-o", "0", "--jaeger", jaeger).failed(t, 1,
		"not found in Jaeger", "the message is unsampled (sampled=0 in its traceparent)")
	run(t, "trace", "-b", bs, "-t", topic, "-p", "0", "-o", "1", "--jaeger", jaeger).failed(t, 1,
		"message "+topic+" [0] @ 1 has no trace context (no traceparent, uber-trace-id or b3 header)")
	run(t, "trace", "-b", bs, "-t", topic, "-p", "0", "-o", "2", "--jaeger", jaeger).failed(t, 1,
		"has no trace context (its trace headers are invalid")
	run(t, "trace", "-b", bs, "-t", topic, "-p", "0", "-o", "3", "--jaeger", jaeger).failed(t, 1,
		"trace 4bf92f3577b34da6a3ce929d0e0e4737 not found", "exporter's batch")
	run(t, "trace", "-b", bs, "-t", topic, "-p", "0", "-o", "9", "--jaeger", jaeger).failed(t, 1,
		"no offset 9 in "+topic+" [0]: it holds offsets 0 to 3")
}

// Jaeger unreachable, or something else at its address: one line, exit 1,
// within the timeout.
func TestTraceJaegerUnreachable(t *testing.T) {
	res := run(t, "trace", "4bf92f3577b34da6a3ce929d0e0e4736", "--jaeger", "http://127.0.0.1:1", "--timeout", "2s")
	line := res.failed(t, 1, "Jaeger at http://127.0.0.1:1")
	assert.Less(t, res.took, 5*time.Second)
	t.Logf("unreachable Jaeger (%v): %s", res.took, line)

	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html>\n<body>not jaeger</body>\n</html>"))
	}))
	defer html.Close()
	run(t, "trace", "4bf92f3577b34da6a3ce929d0e0e4736", "--jaeger", html.URL).failed(t, 1, html.URL)

	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer slow.Close()
	res = run(t, "trace", "4bf92f3577b34da6a3ce929d0e0e4736", "--jaeger", slow.URL, "--timeout", "1s")
	res.failed(t, 1, slow.URL)
	assert.Less(t, res.took, 4*time.Second)
}
