//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// The subset of Jaeger's query API (/api/traces) the suite reads.

type jaegerResponse struct {
	Data   []jaegerTrace `json:"data"`
	Errors []struct {
		Msg string `json:"msg"`
	} `json:"errors"`
}

type jaegerTrace struct {
	TraceID   string                   `json:"traceID"`
	Spans     []jaegerSpan             `json:"spans"`
	Processes map[string]jaegerProcess `json:"processes"`
}

type jaegerProcess struct {
	ServiceName string `json:"serviceName"`
}

type jaegerSpan struct {
	TraceID       string      `json:"traceID"`
	SpanID        string      `json:"spanID"`
	OperationName string      `json:"operationName"`
	References    []jaegerRef `json:"references"`
	StartTime     int64       `json:"startTime"` // µs since the epoch
	Duration      int64       `json:"duration"`  // µs
	Tags          []jaegerTag `json:"tags"`
	ProcessID     string      `json:"processID"`
}

type jaegerRef struct {
	RefType string `json:"refType"`
	TraceID string `json:"traceID"`
	SpanID  string `json:"spanID"`
}

type jaegerTag struct {
	Key   string `json:"key"`
	Value any    `json:"value"`
}

func (s jaegerSpan) tag(key string) (string, bool) {
	for _, t := range s.Tags {
		if t.Key == key {
			return fmt.Sprint(t.Value), true
		}
	}
	return "", false
}

// parent returns the CHILD_OF reference's span ID, or "".
func (s jaegerSpan) parent() string {
	for _, r := range s.References {
		if r.RefType == "CHILD_OF" {
			return r.SpanID
		}
	}
	return ""
}

func (s jaegerSpan) end() int64 { return s.StartTime + s.Duration }

// findTraces queries /api/traces for a service, with optional tag filters.
func findTraces(ctx context.Context, service string, tags map[string]string) ([]jaegerTrace, error) {
	q := url.Values{"service": {service}, "limit": {"100"}, "lookback": {"1h"}}
	if len(tags) > 0 {
		b, err := json.Marshal(tags)
		if err != nil {
			return nil, err
		}
		q.Set("tags", string(b))
	}
	return get(ctx, queryURL()+"/api/traces?"+q.Encode())
}

func get(ctx context.Context, u string) ([]jaegerTrace, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, nil // trace not there (yet)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	var r jaegerResponse
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	return r.Data, nil
}

// waitForTraces polls until cond holds for the traces found, or fails the
// test after the deadline (Jaeger shows spans about a second after export).
func waitForTraces(t *testing.T, service string, tags map[string]string, what string, cond func([]jaegerTrace) bool) []jaegerTrace {
	t.Helper()
	return pollJaeger(t, fmt.Sprintf("%s for service %q", what, service), func(ctx context.Context) ([]jaegerTrace, error) {
		return findTraces(ctx, service, tags)
	}, cond)
}

// pollJaeger calls fetch every 250 ms until cond holds for what it returns,
// and returns that; after 60 s it fails the test, saying what it waited for
// and what it saw last.
func pollJaeger(t *testing.T, what string, fetch func(context.Context) ([]jaegerTrace, error), cond func([]jaegerTrace) bool) []jaegerTrace {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var last []jaegerTrace
	var lastErr error
	for {
		traces, err := fetch(ctx)
		if err == nil && cond(traces) {
			return traces
		}
		if ctx.Err() == nil {
			last, lastErr = traces, err
		}
		select {
		case <-ctx.Done():
			spans := 0
			for _, tr := range last {
				spans += len(tr.Spans)
			}
			t.Fatalf("Jaeger at %s never showed %s (last: %d traces, %d spans, err %v)", queryURL(), what, len(last), spans, lastErr)
		case <-time.After(250 * time.Millisecond):
		}
	}
}
