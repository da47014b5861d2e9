package jaegerquery_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kafkatrace/kafkatrace/internal/jaegerquery"
)

func TestTraceNotFound(t *testing.T) {
	for name, h := range map[string]http.HandlerFunc{
		"404":             serve(http.StatusNotFound, recorded(t, "notfound.json")),
		"empty data":      serve(http.StatusOK, `{"data":[],"total":0,"limit":0,"offset":0,"errors":null}`),
		"null data":       serve(http.StatusOK, `{"data":null,"total":0,"limit":0,"offset":0,"errors":null}`),
		"no spans":        serve(http.StatusOK, `{"data":[{"traceID":"`+traceID+`","spans":[],"processes":{}}],"errors":null}`),
		"error code 404":  serve(http.StatusOK, `{"data":null,"errors":[{"code":404,"msg":"trace not found"}]}`),
		"404 status only": serve(http.StatusNotFound, `{"data":null}`),
	} {
		t.Run(name, func(t *testing.T) {
			j := newJaeger(t, h)
			spans, raw, err := (&jaegerquery.Client{BaseURL: j.URL}).Trace(context.Background(), traceID)
			assert.Nil(t, spans)
			assert.Nil(t, raw)
			require.ErrorIs(t, err, jaegerquery.ErrNotFound)
			assertOneLine(t, err, j.URL)
			assert.Contains(t, err.Error(), traceID)
		})
	}
}

// An address that is not Jaeger's query service answers something else
// than Jaeger's JSON; the error says so instead of "trace not found" or a
// JSON syntax error.
func TestTraceNotJaeger(t *testing.T) {
	for name, c := range map[string]struct {
		status      int
		contentType string
		body        string
		want        string
	}{
		"html page":      {http.StatusOK, "text/html; charset=utf-8", "<!doctype html><html><title>Jaeger UI</title></html>", "text/html, not JSON"},
		"plain 404":      {http.StatusNotFound, "text/plain; charset=utf-8", "404 page not found\n", "text/plain, not JSON"},
		"proxy 502":      {http.StatusBadGateway, "text/html", "<html><body>502 Bad Gateway</body></html>", "502 Bad Gateway with text/html"},
		"other JSON API": {http.StatusOK, "application/json", `{"status":"ok","version":"2.1"}`, "not Jaeger's JSON"},
		"JSON array":     {http.StatusOK, "application/json", `[1,2,3]`, "not Jaeger's JSON"},
		"truncated JSON": {http.StatusOK, "application/json", `{"data":[{"traceID":"` + traceID, "not Jaeger's JSON"},
		"empty":          {http.StatusOK, "", "", "an empty answer"},
		"OTLP collector": {http.StatusMethodNotAllowed, "text/plain", "405 method not allowed, supported: [POST]", "text/plain, not JSON"},
	} {
		t.Run(name, func(t *testing.T) {
			j := newJaeger(t, func(w http.ResponseWriter, _ *http.Request) {
				if c.contentType != "" {
					w.Header().Set("Content-Type", c.contentType)
				}
				w.WriteHeader(c.status)
				_, _ = w.Write([]byte(c.body))
			})
			_, _, err := (&jaegerquery.Client{BaseURL: j.URL}).Trace(context.Background(), traceID)
			assertOneLine(t, err, j.URL)
			assert.NotErrorIs(t, err, jaegerquery.ErrNotFound)
			assert.Contains(t, err.Error(), c.want)
			assert.Contains(t, err.Error(), "16686", "the error says what address is wanted")
		})
	}
}

func TestTraceJaegerErrors(t *testing.T) {
	j := newJaeger(t, serve(http.StatusInternalServerError,
		`{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":500,"msg":"storage:\nelasticsearch unavailable\u001b[2J"},{"code":500,"msg":"retry later"}]}`))
	_, _, err := (&jaegerquery.Client{BaseURL: j.URL}).Trace(context.Background(), traceID)
	assertOneLine(t, err, j.URL)
	assert.NotErrorIs(t, err, jaegerquery.ErrNotFound)
	assert.Contains(t, err.Error(), "storage: elasticsearch unavailable")
	assert.Contains(t, err.Error(), "retry later")
	assert.Contains(t, err.Error(), "HTTP 500")
	assert.NotContains(t, err.Error(), "\x1b")

	j = newJaeger(t, serve(http.StatusServiceUnavailable, `{"data":null,"errors":null,"total":0}`))
	_, _, err = (&jaegerquery.Client{BaseURL: j.URL}).Trace(context.Background(), traceID)
	assertOneLine(t, err, j.URL)
	assert.Contains(t, err.Error(), "503 Service Unavailable")
}

// A Jaeger that does not answer: Trace returns when the context's deadline
// passes, and says it timed out.
func TestTraceTimeout(t *testing.T) {
	for name, h := range map[string]http.HandlerFunc{
		"no headers": func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		},
		"stalled body": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte(`{"data":[{"traceID":"`))
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			j := newJaeger(t, h)
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, _, err := (&jaegerquery.Client{BaseURL: j.URL}).Trace(ctx, traceID)
			assert.Less(t, time.Since(start), 2*time.Second, "returns at the deadline")
			assertOneLine(t, err, j.URL)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Contains(t, err.Error(), "in time")
		})
	}
}

func TestTraceHTTPClientTimeout(t *testing.T) {
	j := newJaeger(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	c := &jaegerquery.Client{BaseURL: j.URL, HTTP: &http.Client{Timeout: 100 * time.Millisecond}}
	_, _, err := c.Trace(context.Background(), traceID)
	assertOneLine(t, err, j.URL)
	assert.Contains(t, err.Error(), "in time")
}

func TestTraceCanceled(t *testing.T) {
	j := newJaeger(t, serve(http.StatusOK, recorded(t, "trace.json")))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := (&jaegerquery.Client{BaseURL: j.URL}).Trace(ctx, traceID)
	assertOneLine(t, err, j.URL)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestTraceConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	base := "http://" + l.Addr().String()
	require.NoError(t, l.Close()) // nothing listens there now

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _, err = (&jaegerquery.Client{BaseURL: base}).Trace(ctx, traceID)
	assertOneLine(t, err, base)
	assert.True(t, errors.Is(err, syscall.ECONNREFUSED), "%v", err)
	assert.Contains(t, err.Error(), "connection refused")
	assert.True(t, strings.HasPrefix(err.Error(), "cannot connect to Jaeger at "+base), err.Error())
}
