package jaegerquery_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kafkatrace/kafkatrace/internal/jaegerquery"
	"github.com/kafkatrace/kafkatrace/internal/tracetree"
)

func TestTraceFound(t *testing.T) {
	var accept string
	body := recorded(t, "trace.json")
	j := newJaeger(t, func(w http.ResponseWriter, r *http.Request) {
		accept = r.Header.Get("Accept")
		serve(http.StatusOK, body)(w, r)
	})
	c := &jaegerquery.Client{BaseURL: j.URL + "/"}
	spans, raw, err := c.Trace(context.Background(), strings.ToUpper(traceID))
	require.NoError(t, err)
	assert.Equal(t, "/api/traces/"+traceID, j.lastPath.Load(), "the ID lowercased, no double slash")
	assert.Equal(t, "application/json", accept)

	// The raw JSON is the trace object as Jaeger sent it.
	var doc struct{ Data []json.RawMessage }
	require.NoError(t, json.Unmarshal([]byte(body), &doc))
	assert.JSONEq(t, string(doc.Data[0]), string(raw))

	require.Len(t, spans, 6)
	byName := map[string]tracetree.Span{}
	for _, s := range spans {
		assert.Equal(t, traceID, s.TraceID)
		assert.Len(t, s.SpanID, 16)
		if s.Name == "process payments" && len(s.Links) > 0 {
			byName["batch"] = s
			continue
		}
		byName[s.Name] = s
	}
	root, send, process, notify, batch := byName["place order"], byName["send orders"], byName["process orders"],
		byName["process payments"], byName["batch"]

	assert.Empty(t, root.ParentID)
	assert.Equal(t, root.SpanID, send.ParentID, "CHILD_OF is the parent")
	assert.Equal(t, send.SpanID, process.ParentID)
	assert.Equal(t, "orders", send.Service)
	assert.Equal(t, "payments", process.Service)
	assert.Equal(t, "notifications", notify.Service)

	assert.Empty(t, root.Kind, "an internal span has no span.kind tag in Jaeger")
	assert.Equal(t, "producer", send.Kind)
	assert.Equal(t, "consumer", process.Kind)

	assert.Equal(t, time.Date(2026, 1, 1, 0, 0, 0, 9800_000, time.UTC), process.Start.UTC())
	assert.Equal(t, 6300*time.Microsecond, process.Duration)

	assert.Equal(t, "2", process.Attrs["messaging.destination.partition.id"])
	assert.Equal(t, "41", process.Attrs["messaging.kafka.offset"], "numbers as Jaeger wrote them")
	assert.Equal(t, "payments", process.Attrs["messaging.consumer.group.name"])
	assert.Equal(t, "0.25", batch.Attrs["ratio"])
	assert.Equal(t, "true", notify.Attrs["error"])

	assert.False(t, process.Error)
	assert.True(t, notify.Error, "otel.status_code=ERROR")
	assert.Equal(t, `template "receipt" not found`, notify.StatusMessage)

	assert.Empty(t, batch.ParentID, "FOLLOWS_FROM is no parent")
	assert.Equal(t, []string{"6e0c63257de34c92", "b9c7c989f97918e1", "b9c7c989f97918e2"}, batch.Links, "FOLLOWS_FROM are the links")

	// What the kafkatrace command prints.
	var out strings.Builder
	tracetree.Render(&out, spans, tracetree.Options{Width: 120, Link: c.URL(traceID)})
	t.Logf("\n%s", out.String())
	text := out.String()
	assert.Contains(t, text, "trace "+traceID+"  6 spans, 3 services, 35.2ms")
	assert.Contains(t, text, "  "+j.URL+"/trace/"+traceID+"\n")
	assert.Contains(t, text, "└─ process orders")
	assert.Contains(t, text, "p2 @41 group=payments queued=8ms")
	assert.Contains(t, text, `ERROR template "receipt" not found`)
	assert.Contains(t, text, "links=3")
}

// Jaeger writes 64-bit trace IDs in 16 digits; they come back in 32.
func TestTraceShortID(t *testing.T) {
	const short = "a3ce929d0e0e4736"
	body := strings.ReplaceAll(recorded(t, "trace.json"), traceID, short)
	j := newJaeger(t, serve(http.StatusOK, body))
	spans, _, err := (&jaegerquery.Client{BaseURL: j.URL}).Trace(context.Background(), short)
	require.NoError(t, err)
	assert.Equal(t, "/api/traces/0000000000000000"+short, j.lastPath.Load())
	for _, s := range spans {
		assert.Equal(t, "0000000000000000"+short, s.TraceID)
	}
}

func TestTraceSchemeLessAddress(t *testing.T) {
	j := newJaeger(t, serve(http.StatusOK, recorded(t, "trace.json")))
	spans, _, err := (&jaegerquery.Client{BaseURL: strings.TrimPrefix(j.URL, "http://")}).Trace(context.Background(), traceID)
	require.NoError(t, err)
	assert.Len(t, spans, 6)
}

func TestTraceInvalidID(t *testing.T) {
	j := newJaeger(t, serve(http.StatusOK, recorded(t, "trace.json")))
	c := &jaegerquery.Client{BaseURL: j.URL}
	for _, id := range []string{"", "xyz", traceID + "0", traceID[:31], "4bf92f3577b34da6a3ce929d0e0e473g",
		strings.Repeat("0", 32), strings.Repeat("0", 16), "4bf92f35-77b3-4da6-a3ce-929d0e0e4736", "\x1b[31m" + traceID} {
		_, _, err := c.Trace(context.Background(), id)
		require.Error(t, err, "%q", id)
		assertOneLine(t, err, "")
		assert.Contains(t, err.Error(), "invalid trace ID")
		assert.NotContains(t, err.Error(), "\x1b")
	}
	assert.Zero(t, j.requests.Load(), "an invalid ID is not sent")

	id, err := jaegerquery.NormalizeTraceID(" " + strings.ToUpper(traceID) + "\n")
	require.NoError(t, err)
	assert.Equal(t, traceID, id)
}

func TestURL(t *testing.T) {
	for base, want := range map[string]string{
		"http://127.0.0.1:16686":         "http://127.0.0.1:16686/trace/" + traceID,
		"http://127.0.0.1:16686/":        "http://127.0.0.1:16686/trace/" + traceID,
		"https://example.com/jaeger/":    "https://example.com/jaeger/trace/" + traceID,
		"localhost:16686":                "http://localhost:16686/trace/" + traceID,
		"  http://127.0.0.1:16686//  \n": "http://127.0.0.1:16686/trace/" + traceID,
	} {
		assert.Equal(t, want, (&jaegerquery.Client{BaseURL: base}).URL(strings.ToUpper(traceID)), base)
	}
	assert.Equal(t, "http://j:16686/trace/0000000000000000a3ce929d0e0e4736",
		(&jaegerquery.Client{BaseURL: "http://j:16686"}).URL("a3ce929d0e0e4736"))
}

func TestTraceInvalidAddress(t *testing.T) {
	for _, base := range []string{"", "ftp://example.com", "http://", "http://[::1"} {
		_, _, err := (&jaegerquery.Client{BaseURL: base}).Trace(context.Background(), traceID)
		require.Error(t, err, "%q", base)
		assertOneLine(t, err, "")
		assert.Contains(t, err.Error(), "Jaeger address")
	}
}
