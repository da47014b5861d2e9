package carrier_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/carrier"
)

const validTP = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

// list joins n members made by member(i) with commas.
func list(n int, member func(i int) string) string {
	m := make([]string, n)
	for i := range m {
		m[i] = member(i)
	}
	return strings.Join(m, ",")
}

// extract returns what the W3C propagators read from headers.
func extract(h []kafka.Header) (trace.SpanContext, baggage.Baggage) {
	ctx := carrier.Extract(context.Background(), &kafka.Message{Headers: h}, w3c)
	return trace.SpanContextFromContext(ctx), baggage.FromContext(ctx)
}

// The W3C limits hold on extract: at the limit the list is kept whole, one
// member or byte over it the list is dropped whole (OpenTelemetry alone would
// keep the first 64 baggage members), and the traceparent is unaffected.
func TestLimitsOnExtract(t *testing.T) {
	silenceOtel(t)
	tsMember := func(i int) string { return fmt.Sprintf("v%d=x", i) }
	bgMember := func(i int) string { return fmt.Sprintf("k%d=v", i) }
	maxValidTS := list(32, func(i int) string { // 32 members of 256-byte keys and values
		k := fmt.Sprintf("k%03d", i) + strings.Repeat("a", 252)
		return k + "=" + strings.Repeat("v", 256)
	})
	for _, tc := range []struct {
		name                 string
		tracestate, baggage  string
		wantTSLen, wantBgLen int
	}{
		{"tracestate 32 members", list(32, tsMember), "", 32, 0},
		{"tracestate 33 members", list(33, tsMember), "", 0, 0},
		{"tracestate 32 members and empty ones", ",," + list(32, tsMember) + ",", "", 32, 0},
		{"tracestate longest valid", maxValidTS, "", 32, 0},
		{"tracestate longer than any valid", maxValidTS + " ", "", 0, 0},
		{"tracestate 1 MB", strings.Repeat("a", 1<<20), "", 0, 0},
		{"baggage 64 members", "", list(64, bgMember), 0, 64},
		{"baggage 65 members", "", list(65, bgMember), 0, 0},
		{"baggage 8192 bytes", "", "k=" + strings.Repeat("v", 8190), 0, 1},
		{"baggage 8193 bytes", "", "k=" + strings.Repeat("v", 8191), 0, 0},
		{"baggage 1 MB", "", "k=" + strings.Repeat("v", 1<<20), 0, 0},
		{"baggage 1 MB of commas", "", strings.Repeat(",", 1<<20), 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc, bag := extract(hdrs("traceparent", validTP, "tracestate", tc.tracestate, "baggage", tc.baggage))
			require.True(t, sc.IsValid(), "traceparent survives whatever its neighbours carry")
			assert.Equal(t, tc.wantTSLen, sc.TraceState().Len())
			assert.Equal(t, tc.wantBgLen, bag.Len())
		})
	}
}

// silenceOtel captures what reaches otel.Handle for the rest of the test.
func silenceOtel(t *testing.T) (reported func() []error) {
	var mu sync.Mutex
	var errs []error
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		mu.Lock()
		defer mu.Unlock()
		errs = append(errs, err)
	}))
	t.Cleanup(func() { otel.SetErrorHandler(otel.ErrorHandlerFunc(func(error) {})) })
	return func() []error {
		mu.Lock()
		defer mu.Unlock()
		return append([]error(nil), errs...)
	}
}

// Malformed, huge and strange headers cost nothing: no panic, no context,
// and extraction of 10k headers stays far below a millisecond per message
// (the bound is generous for -race and a loaded 2-core machine).
func TestHostileHeadersHarmless(t *testing.T) {
	silenceOtel(t)
	mb := strings.Repeat("x", 1<<20)
	many := make([]kafka.Header, 10_000)
	for i := range many {
		many[i] = kafka.Header{Key: fmt.Sprintf("h%d", i%5000), Value: []byte("v")} // half are duplicates
	}
	many[0] = kafka.Header{Key: "traceparent", Value: []byte(validTP)} // found only after scanning all
	for _, tc := range []struct {
		name    string
		headers []kafka.Header
		valid   bool // a span context is expected
	}{
		{"nil headers", nil, false},
		{"nil value", []kafka.Header{{Key: "traceparent"}, {Key: "tracestate"}, {Key: "baggage"}}, false},
		{"empty key", []kafka.Header{{Key: "", Value: []byte(validTP)}}, false},
		{"uppercase hex", hdrs("traceparent", strings.ToUpper(validTP)), false},
		{"version ff", hdrs("traceparent", "ff"+validTP[2:]), false},
		{"all-zero trace id", hdrs("traceparent", "00-00000000000000000000000000000000-b7ad6b7169203331-01"), false},
		{"all-zero span id", hdrs("traceparent", "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01"), false},
		{"1 MB traceparent", hdrs("traceparent", validTP+mb), false},
		{"1 MB tracestate and baggage", hdrs("traceparent", validTP, "tracestate", mb, "baggage", mb), true},
		{"non-UTF-8 keys and values", []kafka.Header{
			{Key: "\xff\xfe", Value: []byte("\xc3\x28")},
			{Key: "traceparent", Value: []byte(validTP)},
			{Key: "tracestate", Value: []byte("a=\xff\xfe")},
			{Key: "baggage", Value: []byte("k=\xc3\x28,\xff=v")},
		}, true},
		{"duplicate keys", hdrs("traceparent", "garbage", "baggage", "a=1", "traceparent", validTP, "baggage", "b=2"), true},
		{"10k headers", many, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			shared := append([]kafka.Header(nil), tc.headers...)
			msg := &kafka.Message{Headers: shared}
			start := time.Now()
			ctx := carrier.Extract(context.Background(), msg, w3c)
			took := time.Since(start)
			assert.Less(t, took, 50*time.Millisecond, "extraction")
			sc := trace.SpanContextFromContext(ctx)
			assert.Equal(t, tc.valid, sc.IsValid())
			bag := baggage.FromContext(ctx)
			assert.LessOrEqual(t, bag.Len(), 64)
			assert.LessOrEqual(t, len(bag.String()), 8192)

			// Writing back over the same headers keeps one of each and
			// never writes through the caller's slice.
			c := carrier.New(msg)
			_ = c.Keys()
			out := &kafka.Message{Headers: shared}
			carrier.Inject(ctx, out, w3c)
			if sc.IsValid() {
				_, n := countKey(out.Headers, "traceparent")
				assert.Equal(t, 1, n)
			}
			assert.Equal(t, tc.headers, shared, "the caller's headers are unchanged")
		})
	}
}

func countKey(h []kafka.Header, key string) (last string, n int) {
	for _, x := range h {
		if x.Key == key {
			last, n = string(x.Value), n+1
		}
	}
	return last, n
}

// Delete removes every occurrence of the keys, copy-on-write, and copies
// nothing when no header matches.
func TestDeleteIsCopyOnWrite(t *testing.T) {
	shared := hdrs("traceparent", "old", "user", "u", "baggage", "big", "traceparent", "older")
	before := append([]kafka.Header(nil), shared...)
	msg := &kafka.Message{Headers: shared}
	carrier.New(msg).Delete("traceparent", "tracestate", "baggage")
	assert.Equal(t, hdrs("user", "u"), msg.Headers)
	assert.Equal(t, before, shared, "the caller's headers are unchanged")

	untouched := &kafka.Message{Headers: shared}
	carrier.New(untouched).Delete("absent")
	assert.Same(t, &shared[0], &untouched.Headers[0], "nothing to delete: no copy")
	carrier.New(nil).Delete("x")
	carrier.New(&kafka.Message{}).Delete("x")
}
