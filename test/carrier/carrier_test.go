package carrier_test

import (
	"context"
	"strconv"
	"sync"
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/goleak"

	"github.com/kafkatrace/kafkatrace/carrier"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var w3c = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

func hdrs(kv ...string) []kafka.Header {
	var h []kafka.Header
	for i := 0; i < len(kv); i += 2 {
		h = append(h, kafka.Header{Key: kv[i], Value: []byte(kv[i+1])})
	}
	return h
}

func TestGetTakesLastDuplicate(t *testing.T) {
	msg := &kafka.Message{Headers: hdrs("a", "1", "b", "2", "a", "3")}
	c := carrier.New(msg)
	assert.Equal(t, "3", c.Get("a"))
	assert.Equal(t, "2", c.Get("b"))
	assert.Equal(t, "", c.Get("missing"))
	assert.Equal(t, "3", c.Get("A"), "no exact match: the last case-insensitive one")
}

// An exact match wins over one that differs only in case (B3 clients write
// X-B3-TraceId, propagators ask for x-b3-traceid).
func TestGetPrefersExactCase(t *testing.T) {
	c := carrier.New(&kafka.Message{Headers: hdrs("x-b3-traceid", "lower", "X-B3-TraceId", "canonical")})
	assert.Equal(t, "lower", c.Get("x-b3-traceid"))
	assert.Equal(t, "canonical", c.Get("X-B3-TraceId"))
	assert.Equal(t, "canonical", c.Get("X-B3-TRACEID"))
}

func TestSetReplacesAllOccurrences(t *testing.T) {
	msg := &kafka.Message{Headers: hdrs("traceparent", "old1", "x", "y", "traceparent", "old2")}
	c := carrier.New(msg)
	c.Set("traceparent", "new")
	assert.Equal(t, hdrs("traceparent", "new", "x", "y"), msg.Headers)
	c.Set("tracestate", "k=v")
	assert.Equal(t, hdrs("traceparent", "new", "x", "y", "tracestate", "k=v"), msg.Headers)
}

func TestSetIsCopyOnWrite(t *testing.T) {
	shared := hdrs("traceparent", "old", "user", "u")
	backing := shared[:cap(shared)]
	before := append([]kafka.Header(nil), backing...)

	msg := &kafka.Message{Headers: shared}
	c := carrier.New(msg)
	c.Set("traceparent", "new")
	c.Set("baggage", "k=v")

	assert.Equal(t, before, backing, "caller's backing array must not change")
	assert.Equal(t, hdrs("traceparent", "new", "user", "u", "baggage", "k=v"), msg.Headers)
}

func TestKeysDistinctInOrder(t *testing.T) {
	msg := &kafka.Message{Headers: hdrs("a", "1", "b", "2", "a", "3", "c", "4")}
	assert.Equal(t, []string{"a", "b", "c"}, carrier.New(msg).Keys())

	many := &kafka.Message{}
	for i := 0; i < 1000; i++ {
		many.Headers = append(many.Headers, kafka.Header{Key: strconv.Itoa(i % 100)})
	}
	keys := carrier.New(many).Keys()
	require.Len(t, keys, 100)
	assert.Equal(t, "0", keys[0])
	assert.Equal(t, "99", keys[99])
	assert.Nil(t, carrier.New(&kafka.Message{}).Keys())
}

func TestNilMessageIsHarmless(t *testing.T) {
	c := carrier.New(nil)
	assert.Equal(t, "", c.Get("x"))
	c.Set("x", "y")
	assert.Nil(t, c.Keys())
	var nc *carrier.MessageCarrier
	assert.Equal(t, "", nc.Get("x"))
	ctx := context.Background()
	assert.Equal(t, ctx, carrier.Extract(ctx, nil, w3c))
	carrier.Inject(ctx, nil, w3c)
	carrier.Inject(ctx, &kafka.Message{}, nil)
}

func TestInjectExtractRoundTrip(t *testing.T) {
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID{1, 2, 3},
		SpanID:     trace.SpanID{4, 5, 6},
		TraceFlags: trace.FlagsSampled,
	})
	member, err := baggage.NewMember("tenant", "acme")
	require.NoError(t, err)
	bag, err := baggage.New(member)
	require.NoError(t, err)
	ctx := baggage.ContextWithBaggage(trace.ContextWithSpanContext(context.Background(), sc), bag)

	msg := &kafka.Message{Headers: hdrs("traceparent", "00-ffffffffffffffffffffffffffffffff-ffffffffffffffff-01")}
	carrier.Inject(ctx, msg, w3c)

	n := 0
	for _, h := range msg.Headers {
		if h.Key == "traceparent" {
			n++
		}
	}
	assert.Equal(t, 1, n, "exactly one traceparent")

	got := carrier.Extract(context.Background(), msg, w3c)
	gsc := trace.SpanContextFromContext(got)
	assert.Equal(t, sc.TraceID(), gsc.TraceID())
	assert.Equal(t, sc.SpanID(), gsc.SpanID())
	assert.True(t, gsc.IsRemote())
	assert.Equal(t, "acme", baggage.FromContext(got).Member("tenant").Value())
}

func TestExtractDuplicateTraceparentTakesLast(t *testing.T) {
	msg := &kafka.Message{Headers: hdrs(
		"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
		"traceparent", "00-11111111111111111111111111111111-2222222222222222-01",
	)}
	sc := trace.SpanContextFromContext(carrier.Extract(context.Background(), msg, w3c))
	assert.Equal(t, "11111111111111111111111111111111", sc.TraceID().String())
}

func TestExtractMalformedIsIgnored(t *testing.T) {
	for _, v := range []string{"", "garbage", "00-xyz-abc-01", "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
		"00-00000000000000000000000000000000-b7ad6b7169203331-01"} {
		msg := &kafka.Message{Headers: hdrs("traceparent", v)}
		sc := trace.SpanContextFromContext(carrier.Extract(context.Background(), msg, w3c))
		assert.False(t, sc.IsValid(), "traceparent %q", v)
	}
}

// Many goroutines inject into messages that share one header slice: under
// -race nothing may write through the shared backing array.
func TestConcurrentInjectSharedHeaders(t *testing.T) {
	shared := make([]kafka.Header, 2, 8) // spare capacity invites append-through bugs
	shared[0] = kafka.Header{Key: "user", Value: []byte("u")}
	shared[1] = kafka.Header{Key: "traceparent", Value: []byte("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")}
	snapshot := append([]kafka.Header(nil), shared[:cap(shared)]...)

	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{9}, SpanID: trace.SpanID{9}, TraceFlags: trace.FlagsSampled})
	ctx := trace.ContextWithSpanContext(context.Background(), sc)

	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Go(func() {
			for i := 0; i < 200; i++ {
				msg := &kafka.Message{Headers: shared}
				carrier.Inject(ctx, msg, w3c)
				if carrier.New(msg).Get("traceparent") != "00-09000000000000000000000000000000-0900000000000000-01" {
					t.Errorf("wrong traceparent %q", carrier.New(msg).Get("traceparent"))
					return
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, snapshot, shared[:cap(shared)])
}
