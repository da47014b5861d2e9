//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Metrics are read back through Prometheus's HTTP API, as traces are from
// Jaeger's: the test process serves its metrics (OpenTelemetry's Prometheus
// exporter) on metricsAddr, and the Prometheus of scripts/standins.sh or
// docker-compose.yml scrapes that address every second.
const (
	defaultPrometheusURL = "http://127.0.0.1:9090"
	metricsAddr          = "127.0.0.1:9464" // fixed: the scrape configurations name it
)

func prometheusURL() string {
	return strings.TrimRight(env("PROMETHEUS_URL", defaultPrometheusURL), "/")
}

// promResponse is the envelope of /api/v1/query.
type promResponse struct {
	Status    string `json:"status"`
	ErrorType string `json:"errorType"`
	Error     string `json:"error"`
	Data      struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	} `json:"data"`
}

// promError is an error Prometheus answered with; Type "bad_data" means the
// expression itself is wrong, which no retry fixes.
type promError struct {
	Type, Msg string
}

func (e *promError) Error() string { return fmt.Sprintf("prometheus: %s: %s", e.Type, e.Msg) }

// promQuery runs an instant query through /api/v1/query and returns the value
// of its single sample: a scalar, or a vector of one series. ok is false when
// the vector is empty (nothing scraped yet, or the series went stale). A
// vector of several series is an error: aggregate them (sum by, ...) or
// select one with labels.
func promQuery(ctx context.Context, expr string) (value float64, ok bool, err error) {
	u := prometheusURL() + "/api/v1/query?" + url.Values{"query": {expr}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, false, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, false, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, false, fmt.Errorf("GET %s: %w", u, err)
	}
	var r promResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return 0, false, fmt.Errorf("GET %s: %s: %w (body %.200q)", u, resp.Status, err, body)
	}
	if r.Status != "success" {
		return 0, false, &promError{Type: r.ErrorType, Msg: r.Error}
	}
	switch r.Data.ResultType {
	case "scalar":
		var s [2]json.RawMessage // [unix time, "value"]
		if err := json.Unmarshal(r.Data.Result, &s); err != nil {
			return 0, false, fmt.Errorf("query %q: scalar result: %w", expr, err)
		}
		v, err := promValue(s[1])
		return v, err == nil, err
	case "vector":
		var samples []struct {
			Metric map[string]string  `json:"metric"`
			Value  [2]json.RawMessage `json:"value"`
		}
		if err := json.Unmarshal(r.Data.Result, &samples); err != nil {
			return 0, false, fmt.Errorf("query %q: vector result: %w", expr, err)
		}
		switch len(samples) {
		case 0:
			return 0, false, nil
		case 1:
			v, err := promValue(samples[0].Value[1])
			return v, err == nil, err
		default:
			series := make([]string, len(samples))
			for i, s := range samples {
				series[i] = fmt.Sprint(s.Metric)
			}
			return 0, false, fmt.Errorf("query %q: %d series, want one: %s", expr, len(samples), strings.Join(series, ", "))
		}
	default:
		return 0, false, fmt.Errorf("query %q: result type %q, want scalar or vector", expr, r.Data.ResultType)
	}
}

// promValue decodes a sample value, which the API writes as a string
// ("1", "NaN", "+Inf").
func promValue(raw json.RawMessage) (float64, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return 0, fmt.Errorf("sample value %s: %w", raw, err)
	}
	return strconv.ParseFloat(s, 64)
}

// waitForPromValue polls expr until it has a value for which cond holds, and
// returns that value; it fails the test after 60s (a scrape every second,
// so a new value shows up within about two), or at once when Prometheus
// rejects the expression.
func waitForPromValue(t *testing.T, expr string, cond func(float64) bool, what string) float64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var (
		last    float64
		lastOK  bool
		lastErr error
	)
	for {
		v, ok, err := promQuery(ctx, expr)
		if err == nil && ok && cond(v) {
			return v
		}
		var perr *promError
		if errors.As(err, &perr) && perr.Type == "bad_data" {
			t.Fatalf("Prometheus at %s rejects %s: %v", prometheusURL(), expr, err)
		}
		if ctx.Err() == nil {
			last, lastOK, lastErr = v, ok, err
		}
		select {
		case <-ctx.Done():
			state := "no sample"
			if lastOK {
				state = fmt.Sprintf("last value %v", last)
			}
			t.Fatalf("Prometheus at %s never showed %s for %s (%s, err %v)", prometheusURL(), what, expr, state, lastErr)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// serveMetrics serves h as /metrics on metricsAddr, where Prometheus scrapes
// the test process, until the returned stop is called or the test ends. The
// address is fixed, so tests that serve metrics must not run in parallel; a
// listener still closing is waited for, up to 5s.
func serveMetrics(t *testing.T, h http.Handler) (stop func()) {
	t.Helper()
	ln, err := net.Listen("tcp", metricsAddr)
	require.NoError(t, err, "serving metrics on %s, the address Prometheus scrapes", metricsAddr)
	mux := http.NewServeMux()
	mux.Handle("/metrics", h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("metrics server on %s: %v", metricsAddr, err)
		}
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := srv.Shutdown(ctx); err != nil {
				t.Errorf("stopping the metrics server on %s: %v", metricsAddr, err)
			}
			<-done
		})
	}
	t.Cleanup(stop)
	return stop
}

// The environment itself: a real Prometheus scrapes metricsAddr and answers
// queries. The gauge carries this run's ID, so a Prometheus that outlives
// runs (make up) never answers with an earlier run's sample.
func TestPrometheusScrapesTheTestProcess(t *testing.T) {
	run := runID()
	stop := serveMetrics(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		fmt.Fprintf(w, "# HELP kafkatrace_standin_check Served by TestPrometheusScrapesTheTestProcess.\n"+
			"# TYPE kafkatrace_standin_check gauge\n"+
			"kafkatrace_standin_check{run=%q} 1\n", run)
	}))

	expr := fmt.Sprintf("kafkatrace_standin_check{run=%q}", run)
	waitForPromValue(t, expr, func(v float64) bool { return v == 1 }, "the gauge this test serves, at 1")
	stop()
}
