package interceptor_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/baggage"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/interceptor"
	"github.com/kafkatrace/kafkatrace/sampling"
)

// Hostile input: headers come from other teams and from outside. A malformed
// or oversize header must cost nothing and travel no further; a remote
// traceparent on an untrusted topic must not steer the trace; and message
// keys and bodies never reach a span unless asked for.

const remoteTP = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

// members joins n list-members made by f.
func members(n int, f func(i int) string) string {
	m := make([]string, n)
	for i := range m {
		m[i] = f(i)
	}
	return strings.Join(m, ",")
}

// Oversize tracestate and baggage on an incoming message (over the W3C
// limits) reach neither the process span's ctx nor any message produced with
// that ctx: not a new message, not one that copies the incoming headers, and
// not the incoming message produced again as it is.
func TestOversizeTraceHeadersNeverPropagate(t *testing.T) {
	a := account(t)
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(error) {})) // the once-per-process report
	t.Cleanup(func() { otel.SetErrorHandler(otel.ErrorHandlerFunc(func(error) {})) })
	in, out := uniqueTopic(t), uniqueTopic(t)+"-out"
	mc := mockCluster(t, in, 1)
	require.NoError(t, mc.CreateTopic(out, 1, 1))
	tp, _ := recorder(a.option())

	cases := []struct{ name, tracestate, baggage string }{
		{"baggage of 9000 bytes", "", "k=" + strings.Repeat("v", 8998)},
		{"baggage of 65 members", "", members(65, func(i int) string { return fmt.Sprintf("k%d=v", i) })},
		{"tracestate of 33 members", members(33, func(i int) string { return fmt.Sprintf("v%d=x", i) }), ""},
	}
	raw, err := kafka.NewProducer(&kafka.ConfigMap{"bootstrap.servers": mc.BootstrapServers()})
	require.NoError(t, err)
	defer raw.Close()
	dc := make(chan kafka.Event, len(cases))
	for i, c := range cases {
		h := []kafka.Header{{Key: "traceparent", Value: []byte(remoteTP)}, {Key: "app", Value: []byte("kept")}}
		if c.tracestate != "" {
			h = append(h, kafka.Header{Key: "tracestate", Value: []byte(c.tracestate)})
		}
		if c.baggage != "" {
			h = append(h, kafka.Header{Key: "baggage", Value: []byte(c.baggage)})
		}
		require.NoError(t, raw.Produce(&kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &in, Partition: 0},
			Headers: h, Opaque: i}, dc))
	}
	for range cases {
		require.NoError(t, (<-dc).(*kafka.Message).TopicPartition.Error)
	}

	p := newProducer(t, mc.BootstrapServers(), tp, nil)
	c := newConsumer(t, mc.BootstrapServers(), uniqueTopic(t), tp, nil)
	require.NoError(t, c.Subscribe(in, nil))
	seen := make(chan string, len(cases))
	stop := runConsumer(c, func(ctx context.Context, m *kafka.Message) error {
		name := cases[m.TopicPartition.Offset].name
		if n := baggage.FromContext(ctx).Len(); n != 0 {
			t.Errorf("%s: %d baggage members on the handler's ctx", name, n)
		}
		if ts := trace.SpanContextFromContext(ctx).TraceState(); ts.Len() != 0 {
			t.Errorf("%s: tracestate %q on the handler's ctx", name, ts)
		}
		rdc := make(chan kafka.Event, 3)
		fresh := &kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &out, Partition: 0}, Key: []byte(name + "/fresh")}
		copied := &kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &out, Partition: 0}, Key: []byte(name + "/copied"), Headers: m.Headers}
		again := &kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &out, Partition: 0}, Key: []byte(name + "/again"), Headers: m.Headers}
		for _, err := range []error{p.ProduceContext(ctx, fresh, rdc), p.ProduceContext(ctx, copied, rdc), p.Produce(again, rdc)} {
			if err != nil {
				return err
			}
		}
		for range 3 {
			if err := (<-rdc).(*kafka.Message).TopicPartition.Error; err != nil {
				return err
			}
		}
		seen <- name
		return nil
	})
	for range cases {
		select {
		case <-seen:
		case <-time.After(time.Minute):
			t.Fatal("not every message was handled")
		}
	}
	require.NoError(t, stop())
	require.NoError(t, c.Close())

	for _, m := range readAll(t, mc.BootstrapServers(), out, 1, 3*len(cases)) {
		_, n := header(m, "traceparent")
		assert.Equal(t, 1, n, "%s: one traceparent", m.Key)
		for _, key := range []string{"tracestate", "baggage"} {
			v, _ := header(m, key)
			assert.Zero(t, len(v), "%s: the oversize %s travelled on", m.Key, key)
		}
		if bytes.HasSuffix(m.Key, []byte("/fresh")) {
			continue
		}
		app, _ := header(m, "app")
		assert.Equal(t, "kept", app, "%s: the application's headers travel on", m.Key)
	}
	a.sent.Store(int64(len(cases)))
	a.received.Store(int64(len(cases)))
}

// Malformed, huge and strange headers cost nothing in the interceptor: no
// panic, StartProcess and Produce each stay far below 50 ms (10k headers,
// 1 MB values), no oversize context is taken in, every span ends, and the
// trace headers a message leaves with are the producer's own, so the
// application's message is delivered even when it arrived with a 1 MB
// trace header.
func TestHostileHeadersCostNothing(t *testing.T) {
	a := account(t)
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(error) {}))
	t.Cleanup(func() { otel.SetErrorHandler(otel.ErrorHandlerFunc(func(error) {})) })
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	tp, sr := recorder(a.option())
	raw, err := kafka.NewConsumer(&kafka.ConfigMap{"bootstrap.servers": mc.BootstrapServers(), "group.id": "g"})
	require.NoError(t, err)
	c := interceptor.WrapConsumer(raw, interceptor.WithTracerProvider(tp))
	defer func() { require.NoError(t, c.Close()) }()
	p := newProducer(t, mc.BootstrapServers(), tp, nil)

	mb := strings.Repeat("x", 1<<20)
	many := make([]kafka.Header, 10_000)
	for i := range many {
		many[i] = kafka.Header{Key: fmt.Sprintf("h%d", i%5000), Value: []byte("v")}
	}
	many[0] = kafka.Header{Key: "traceparent", Value: []byte(remoteTP)}
	hs := func(kv ...string) []kafka.Header {
		var h []kafka.Header
		for i := 0; i < len(kv); i += 2 {
			h = append(h, kafka.Header{Key: kv[i], Value: []byte(kv[i+1])})
		}
		return h
	}
	cases := []struct {
		name    string
		headers []kafka.Header
	}{
		{"nil headers", nil},
		{"nil values", []kafka.Header{{Key: "traceparent"}, {Key: "tracestate"}, {Key: "baggage"}, {Key: "app"}}},
		{"uppercase hex", hs("traceparent", strings.ToUpper(remoteTP))},
		{"version ff", hs("traceparent", "ff"+remoteTP[2:])},
		{"all-zero ids", hs("traceparent", "00-00000000000000000000000000000000-0000000000000000-01")},
		{"1 MB traceparent", hs("traceparent", remoteTP+mb)},
		{"1 MB tracestate", hs("traceparent", remoteTP, "tracestate", mb)},
		{"1 MB baggage", hs("traceparent", remoteTP, "baggage", mb)},
		{"non-UTF-8", []kafka.Header{{Key: "\xff\xfe", Value: []byte("\xc3\x28")}, {Key: "traceparent", Value: []byte(remoteTP)},
			{Key: "baggage", Value: []byte("k=\xc3\x28,\xff=v")}}},
		{"duplicate keys", hs("traceparent", "garbage", "baggage", "a=1", "traceparent", remoteTP, "baggage", "b=2")},
		{"10k headers", many},
	}
	dc := make(chan kafka.Event, len(cases))
	var slowest time.Duration
	for i, tc := range cases {
		msg := &kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0, Offset: kafka.Offset(i)},
			Headers: tc.headers, Value: []byte(tc.name)}
		start := time.Now()
		ctx, span := c.StartProcess(context.Background(), msg)
		span.End()
		took := time.Since(start)
		assert.LessOrEqual(t, baggage.FromContext(ctx).Len(), 64, tc.name)
		assert.LessOrEqual(t, len(baggage.FromContext(ctx).String()), 8192, tc.name)

		start = time.Now()
		require.NoError(t, p.ProduceContext(ctx, msg, dc), tc.name)
		took = max(took, time.Since(start))
		assert.Less(t, took, 50*time.Millisecond, "%s: StartProcess or Produce", tc.name)
		slowest = max(slowest, took)
	}
	for range cases {
		m := (<-dc).(*kafka.Message)
		assert.NoError(t, m.TopicPartition.Error, "%s delivered", m.Value)
	}
	for _, m := range readAll(t, mc.BootstrapServers(), topic, 1, len(cases)) {
		v, n := header(m, "traceparent")
		assert.Equal(t, 1, n, "%s: one traceparent", m.Value)
		assert.Len(t, v, 55, "%s: the producer's own traceparent", m.Value)
		for _, key := range []string{"tracestate", "baggage"} {
			v, _ := header(m, key)
			assert.LessOrEqual(t, len(v), 8192, "%s: %s", m.Value, key)
		}
	}
	assert.Len(t, sr.Ended(), 2*len(cases))
	a.sent.Store(int64(len(cases)))
	a.received.Store(int64(len(cases)))
	a.note("slowest_call=%v", slowest.Round(time.Microsecond))
}

// On an untrusted topic a remote traceparent never becomes a parent, only a
// link, and its sampled flag cannot force sampling: at ratio 0 nothing is
// recorded although the remote context says sampled, and at ratio 1 the span
// is recorded although it says unsampled. On a trusted topic the same flag
// would have decided (the control case).
func TestUntrustedTopicCannotSteerTheTrace(t *testing.T) {
	a := account(t)
	rules, err := sampling.Compile([]sampling.Rule{
		{Topic: "partner-off", Ratio: 0, Untrusted: true},
		{Topic: "partner-on", Ratio: 1, Untrusted: true},
		{Topic: "internal-off", Ratio: 0},
	}, 1)
	require.NoError(t, err)
	sampler := sampling.New(rules)
	tp, sr := recorder(a.option(), sdktrace.WithSampler(sampler))
	raw, err := kafka.NewConsumer(&kafka.ConfigMap{"bootstrap.servers": "127.0.0.1:1", "group.id": "g"})
	require.NoError(t, err)
	c := interceptor.WrapConsumer(raw, interceptor.WithTracerProvider(tp), interceptor.WithTopicPolicy(sampler))
	defer func() { require.NoError(t, c.Close()) }()

	sampledTP := remoteTP                            // flags 01
	unsampledTP := remoteTP[:len(remoteTP)-2] + "00" // flags 00
	for _, tc := range []struct {
		topic, traceparent string
		recorded, child    bool
	}{
		{"partner-off", sampledTP, false, false},   // the remote flag cannot force sampling
		{"partner-on", unsampledTP, true, false},   // nor suppress it
		{"internal-off", sampledTP, true, true},    // control: a trusted parent decides
		{"internal-off", unsampledTP, false, true}, // control
	} {
		topic := tc.topic
		msg := &kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0},
			Headers: []kafka.Header{{Key: "traceparent", Value: []byte(tc.traceparent)}, {Key: "baggage", Value: []byte("tenant=evil")}}}
		before := len(sr.Ended())
		ctx, span := c.StartProcess(context.Background(), msg)
		sc := span.SpanContext()
		span.End()
		name := tc.topic + " " + tc.traceparent[len(tc.traceparent)-2:]
		assert.Equal(t, tc.recorded, sc.IsSampled(), "%s: sampled", name)
		assert.Equal(t, tc.child, sc.TraceID().String() == "0af7651916cd43dd8448eb211c80319c", "%s: same trace as the remote", name)
		if !tc.child {
			assert.Empty(t, baggage.FromContext(ctx).Member("tenant").Value(), "%s: untrusted baggage dropped", name)
		}
		if !tc.recorded {
			assert.Len(t, sr.Ended(), before, "%s: nothing recorded", name)
			continue
		}
		s := sr.Ended()[len(sr.Ended())-1]
		if tc.child {
			assert.Equal(t, "b7ad6b7169203331", s.Parent().SpanID().String())
			continue
		}
		assert.False(t, s.Parent().IsValid(), "%s: a root, not a child of the remote", name)
		require.Len(t, s.Links(), 1, "%s: a link to the remote", name)
		assert.Equal(t, "b7ad6b7169203331", s.Links()[0].SpanContext.SpanID().String())
		assert.True(t, attrs(s)["kafkatrace.untrusted"].AsBool())
	}
	a.note("cases=4 recorded=%d", len(sr.Ended()))
}

// By default no span attribute, event, link or status carries a byte of the
// message key or value, on any path: Produce, ProduceContext, Run, the
// drop-in Poll, and failures. With WithRecordKey the key is recorded (and
// nothing else); the value never is.
func TestKeyAndValueNeverRecordedByDefault(t *testing.T) {
	a := account(t)
	mc := mockCluster(t, "", 0)
	const key, value = "K3y-PRIVATE-5ee1", "B0dy-PRIVATE-77aa"
	secrets := []string{key, value, "PRIVATE"}

	check := func(t *testing.T, sr *tracetest.SpanRecorder, allowKey bool) int {
		t.Helper()
		var texts []string
		for _, s := range sr.Ended() {
			texts = append(texts, s.Name(), s.Status().Description)
			for _, kv := range s.Attributes() {
				if allowKey && kv.Key == "messaging.kafka.message.key" {
					assert.Equal(t, key, kv.Value.AsString())
					continue
				}
				texts = append(texts, kv.Value.String())
			}
			for _, ev := range s.Events() {
				texts = append(texts, ev.Name)
				for _, kv := range ev.Attributes {
					texts = append(texts, kv.Value.String())
				}
			}
			for _, l := range s.Links() {
				for _, kv := range l.Attributes {
					texts = append(texts, kv.Value.String())
				}
			}
		}
		for _, txt := range texts {
			for _, s := range secrets {
				assert.NotContains(t, txt, s)
			}
		}
		return len(sr.Ended())
	}

	run := func(t *testing.T, opts ...interceptor.Option) *tracetest.SpanRecorder {
		topic := uniqueTopic(t)
		require.NoError(t, mc.CreateTopic(topic, 1, 1))
		tp, sr := recorder(a.option())
		p := newProducer(t, mc.BootstrapServers(), tp, nil, opts...)
		dc := make(chan kafka.Event, 2)
		msg := func() *kafka.Message {
			return &kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0}, Key: []byte(key), Value: []byte(value)}
		}
		require.NoError(t, p.Produce(msg(), dc))
		require.NoError(t, p.ProduceContext(context.Background(), msg(), dc))
		for range 2 {
			require.NoError(t, (<-dc).(*kafka.Message).TopicPartition.Error)
		}

		c := newConsumer(t, mc.BootstrapServers(), uniqueTopic(t), tp, nil, append(opts,
			interceptor.WithRetry(1, nil), interceptor.WithFailurePolicy(interceptor.SkipOnFailure))...)
		require.NoError(t, c.Subscribe(topic, nil))
		handled := make(chan struct{}, 64)
		stop := runConsumer(c, func(ctx context.Context, m *kafka.Message) error {
			handled <- struct{}{}
			return errors.New("handler failed") // the failure path records too
		})
		for range 2 {
			<-handled
		}
		require.NoError(t, stop())
		require.NoError(t, c.Close())

		d := newConsumer(t, mc.BootstrapServers(), uniqueTopic(t), tp, nil, opts...)
		require.NoError(t, d.Assign([]kafka.TopicPartition{{Topic: &topic, Partition: 0, Offset: kafka.OffsetBeginning}}))
		for got := 0; got < 2; {
			if _, ok := d.Poll(100).(*kafka.Message); ok {
				got++
			}
		}
		require.NoError(t, d.Close())
		return sr
	}

	t.Run("default", func(t *testing.T) {
		n := check(t, run(t), false)
		assert.Equal(t, 6, n, "send, process and receive spans of two messages checked")
	})
	t.Run("opt-in", func(t *testing.T) {
		sr := run(t, interceptor.WithRecordKey(true), interceptor.WithRecordBodySize(true))
		assert.Equal(t, 6, check(t, sr, true))
		for _, s := range sr.Ended() {
			assert.Equal(t, key, attrs(s)["messaging.kafka.message.key"].AsString(), "%s records the key when asked", s.Name())
			assert.Equal(t, int64(len(value)), attrs(s)["messaging.message.body.size"].AsInt64(), "only the body's size")
		}
	})
	a.sent.Store(4)
	a.received.Store(4)
}
