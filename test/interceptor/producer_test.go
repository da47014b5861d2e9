package interceptor_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/interceptor"
	"github.com/kafkatrace/kafkatrace/semconv"
)

func newProducer(t *testing.T, bootstrap string, tp trace.TracerProvider, extra kafka.ConfigMap, opts ...interceptor.Option) *interceptor.Producer {
	t.Helper()
	conf := kafka.ConfigMap{"bootstrap.servers": bootstrap, "linger.ms": 5}
	for k, v := range extra {
		conf[k] = v
	}
	p, err := interceptor.NewProducer(&conf, append([]interceptor.Option{interceptor.WithTracerProvider(tp)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(p.Close)
	return p
}

type opaque struct{ n int }

// Every message gets a send span that ends at its delivery report with the
// report's partition and offset, its traceparent on the wire names that span,
// and the user's Opaque comes back on both deliveryChan and Events().
func TestProduceSpansEndAtDeliveryReport(t *testing.T) {
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 3)
	tp, sr := recorder()
	p := newProducer(t, mc.BootstrapServers(), tp, nil)

	const n = 60
	dc := make(chan kafka.Event, n)
	for i := 0; i < n; i++ {
		msg := &kafka.Message{
			TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: int32(i % 3)},
			Key:            []byte(strconv.Itoa(i)), Value: []byte("v"), Opaque: &opaque{i},
		}
		ch := dc
		if i%2 == 1 {
			ch = nil // report on Events()
		}
		require.NoError(t, p.Produce(msg, ch))
	}

	reports := map[int]*kafka.Message{}
	viaEvents := map[int]bool{}
	timeout := time.After(20 * time.Second)
	for len(reports) < n {
		var ev kafka.Event
		fromEvents := false
		select {
		case ev = <-dc:
		case ev = <-p.Events():
			fromEvents = true
		case <-timeout:
			t.Fatalf("only %d of %d reports", len(reports), n)
		}
		m, ok := ev.(*kafka.Message)
		if !ok {
			continue
		}
		require.NoError(t, m.TopicPartition.Error)
		o, ok := m.Opaque.(*opaque)
		require.True(t, ok, "user's Opaque given back, got %T", m.Opaque)
		reports[o.n] = m
		viaEvents[o.n] = fromEvents
	}
	for i, m := range reports {
		assert.Equal(t, i%2 == 1, viaEvents[i], "message %d reported on the channel it was produced with", i)
		assert.Equal(t, int32(i%3), m.TopicPartition.Partition)
	}

	ended := sr.Ended()
	require.Len(t, ended, n)
	byOffset := map[string]sdktrace.ReadOnlySpan{}
	for _, s := range ended {
		a := attrs(s)
		assert.Equal(t, "send "+topic, s.Name())
		assert.Equal(t, trace.SpanKindProducer, s.SpanKind())
		assert.Equal(t, codes.Unset, s.Status().Code)
		assert.False(t, s.Parent().IsValid(), "no parent: a new trace")
		byOffset[a["messaging.destination.partition.id"].AsString()+"/"+strconv.FormatInt(a["messaging.kafka.offset"].AsInt64(), 10)] = s
	}
	for _, m := range reports {
		key := fmt.Sprintf("%d/%d", m.TopicPartition.Partition, m.TopicPartition.Offset)
		require.Contains(t, byOffset, key, "a span with the report's partition and offset")
	}

	wire := readAll(t, mc.BootstrapServers(), topic, 3, n)
	for _, m := range wire {
		tpHdr, count := header(m, "traceparent")
		require.Equal(t, 1, count, "exactly one traceparent")
		s := byOffset[fmt.Sprintf("%d/%d", m.TopicPartition.Partition, m.TopicPartition.Offset)]
		require.NotNil(t, s)
		want := fmt.Sprintf("00-%s-%s-01", s.SpanContext().TraceID(), s.SpanContext().SpanID())
		assert.Equal(t, want, tpHdr)
	}
	assert.Zero(t, openSpans(sr))
}

// The span ends before the report reaches the application.
func TestSpanEndedWhenReportArrives(t *testing.T) {
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	tp, sr := recorder()
	p := newProducer(t, mc.BootstrapServers(), tp, nil)
	dc := make(chan kafka.Event, 1)
	require.NoError(t, p.Produce(&kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: kafka.PartitionAny}}, dc))
	<-dc
	assert.Len(t, sr.Ended(), 1)
}

func TestProduceContextParentAndHeaderContinuation(t *testing.T) {
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	tp, sr := recorder()
	p := newProducer(t, mc.BootstrapServers(), tp, nil)
	dc := make(chan kafka.Event, 3)

	// 1: parent from ctx.
	ctx, parent := tp.Tracer("test").Start(context.Background(), "parent")
	require.NoError(t, p.ProduceContext(ctx, &kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0}, Opaque: 1}, dc))
	parent.End()

	// 2: a message that already carries a traceparent continues that trace,
	// and leaves with exactly one traceparent.
	remote := "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	require.NoError(t, p.Produce(&kafka.Message{
		TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0}, Opaque: 2,
		Headers: []kafka.Header{{Key: "traceparent", Value: []byte(remote)}, {Key: "app", Value: []byte("x")}},
	}, dc))

	// 3: ctx wins over headers.
	ctx3, parent3 := tp.Tracer("test").Start(context.Background(), "parent3")
	require.NoError(t, p.ProduceContext(ctx3, &kafka.Message{
		TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0}, Opaque: 3,
		Headers: []kafka.Header{{Key: "traceparent", Value: []byte(remote)}},
	}, dc))
	parent3.End()
	for i := 0; i < 3; i++ {
		<-dc
	}

	spans := sr.Ended()
	find := func(pred func(sdktrace.ReadOnlySpan) bool) sdktrace.ReadOnlySpan {
		for _, s := range spans {
			if s.SpanKind() == trace.SpanKindProducer && pred(s) {
				return s
			}
		}
		t.Fatal("span not found")
		return nil
	}
	s1 := find(func(s sdktrace.ReadOnlySpan) bool { return s.Parent().SpanID() == parent.SpanContext().SpanID() })
	assert.Equal(t, parent.SpanContext().TraceID(), s1.SpanContext().TraceID())
	s2 := find(func(s sdktrace.ReadOnlySpan) bool { return s.Parent().SpanID().String() == "b7ad6b7169203331" })
	assert.Equal(t, "0af7651916cd43dd8448eb211c80319c", s2.SpanContext().TraceID().String())
	assert.True(t, s2.Parent().IsRemote())
	s3 := find(func(s sdktrace.ReadOnlySpan) bool { return s.Parent().SpanID() == parent3.SpanContext().SpanID() })
	assert.Equal(t, parent3.SpanContext().TraceID(), s3.SpanContext().TraceID())

	wire := readAll(t, mc.BootstrapServers(), topic, 1, 3)
	for i, m := range wire {
		_, count := header(m, "traceparent")
		assert.Equal(t, 1, count, "message %d", i)
	}
	v, _ := header(wire[1], "traceparent")
	assert.Equal(t, fmt.Sprintf("00-%s-%s-01", s2.SpanContext().TraceID(), s2.SpanContext().SpanID()), v)
	app, _ := header(wire[1], "app")
	assert.Equal(t, "x", app, "user headers reach the broker")
}

// The user's message is not modified, and Key, Value, Timestamp and headers
// reach the broker unchanged.
func TestUserMessageUnchanged(t *testing.T) {
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	tp, _ := recorder()
	p := newProducer(t, mc.BootstrapServers(), tp, nil)
	hdrs := []kafka.Header{{Key: "a", Value: []byte("1")}}
	ts := time.UnixMilli(1700000000123)
	msg := &kafka.Message{
		TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0},
		Key:            []byte("key"), Value: []byte("value"), Timestamp: ts, Headers: hdrs, Opaque: "mine",
	}
	dc := make(chan kafka.Event, 1)
	require.NoError(t, p.Produce(msg, dc))
	<-dc
	assert.Equal(t, "mine", msg.Opaque)
	assert.Equal(t, []kafka.Header{{Key: "a", Value: []byte("1")}}, msg.Headers)

	m := readAll(t, mc.BootstrapServers(), topic, 1, 1)[0]
	assert.Equal(t, []byte("key"), m.Key)
	assert.Equal(t, []byte("value"), m.Value)
	assert.Equal(t, ts.UnixMilli(), m.Timestamp.UnixMilli())
	assert.Equal(t, "a", m.Headers[0].Key)
	assert.Len(t, m.Headers, 2, "the user's header + traceparent (W3C writes tracestate and baggage only when set)")
}

// Broker down with a short message.timeout.ms: every span ends in error.
func TestBrokerDownSpansEndInError(t *testing.T) {
	a := account(t)
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	tp, sr := recorder(a.option())
	p := newProducer(t, mc.BootstrapServers(), tp, kafka.ConfigMap{"message.timeout.ms": 1000})
	require.NoError(t, mc.SetBrokerDown(1))

	const n = 20
	dc := make(chan kafka.Event, n)
	for i := 0; i < n; i++ {
		require.NoError(t, p.Produce(&kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0}}, dc))
	}
	for i := 0; i < n; i++ {
		select {
		case ev := <-dc:
			require.Error(t, ev.(*kafka.Message).TopicPartition.Error)
		case <-time.After(20 * time.Second):
			t.Fatal("no failed report")
		}
	}
	ended := sr.Ended()
	require.Len(t, ended, n)
	for _, s := range ended {
		assert.Equal(t, codes.Error, s.Status().Code)
		assert.Equal(t, kafka.ErrMsgTimedOut.String(), attrs(s)["error.type"].AsString())
	}
	assert.Zero(t, openSpans(sr))
	a.sent.Store(n)
	a.note("failed=%d", n)
}

// A Produce error ends the span at once, with the error unwrapped.
func TestProduceErrorEndsSpan(t *testing.T) {
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	tp, sr := recorder()
	p := newProducer(t, mc.BootstrapServers(), tp, kafka.ConfigMap{"queue.buffering.max.messages": 1})
	require.NoError(t, mc.SetBrokerDown(1))
	msg := func() *kafka.Message {
		return &kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0}}
	}
	require.NoError(t, p.Produce(msg(), nil))
	err := p.Produce(msg(), nil)
	require.Error(t, err)
	kerr, ok := err.(kafka.Error)
	require.True(t, ok, "kafka.Error unwrapped, got %T", err)
	assert.Equal(t, kafka.ErrQueueFull, kerr.Code())

	ended := sr.Ended()
	require.Len(t, ended, 1)
	assert.Equal(t, codes.Error, ended[0].Status().Code)
	assert.Equal(t, kafka.ErrQueueFull.String(), attrs(ended[0])["error.type"].AsString())

	// No topic: confluent's own error, no span.
	err = p.Produce(&kafka.Message{}, nil)
	require.Error(t, err)
	assert.Len(t, sr.Started(), 2)
}

// Close with reports outstanding ends every span with an error status.
func TestCloseEndsPendingSpans(t *testing.T) {
	a := account(t)
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	tp, sr := recorder(a.option())
	conf := kafka.ConfigMap{"bootstrap.servers": mc.BootstrapServers(), "message.timeout.ms": 60000}
	p, err := interceptor.NewProducer(&conf, interceptor.WithTracerProvider(tp))
	require.NoError(t, err)
	require.NoError(t, mc.SetBrokerDown(1))
	const n = 2000
	for i := 0; i < n; i++ {
		require.NoError(t, p.Produce(&kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0}}, nil))
	}
	start := time.Now()
	p.Close()
	took := time.Since(start)
	assert.Less(t, took, 10*time.Second)
	p.Close() // second Close is harmless

	require.Len(t, sr.Started(), n)
	require.Len(t, sr.Ended(), n)
	for _, s := range sr.Ended() {
		assert.Equal(t, codes.Error, s.Status().Code)
		assert.Equal(t, "producer closed before delivery", s.Status().Description)
	}
	for range p.Events() { // closed, as confluent-kafka-go closes it
	}
	err = p.Produce(&kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic}}, nil)
	assert.Error(t, err, "produce after Close")
	assert.Zero(t, openSpans(sr))
	a.sent.Store(n)
	a.note("outstanding_at_close=%d close_took=%v", n, took.Round(time.Millisecond))
}

// Concurrent producers sharing one header slice: the slice is never written.
func TestConcurrentProduceSharedHeaders(t *testing.T) {
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	tp, sr := recorder()
	p := newProducer(t, mc.BootstrapServers(), tp, nil)
	shared := make([]kafka.Header, 2, 16)
	shared[0] = kafka.Header{Key: "app", Value: []byte("x")}
	shared[1] = kafka.Header{Key: "traceparent", Value: []byte("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")}
	before := append([]kafka.Header(nil), shared[:cap(shared)]...)

	const g, per = 8, 100
	var wg sync.WaitGroup
	for i := 0; i < g; i++ {
		wg.Go(func() {
			for j := 0; j < per; j++ {
				if err := p.Produce(&kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0}, Headers: shared}, nil); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	got := 0
	for got < g*per {
		if _, ok := (<-p.Events()).(*kafka.Message); ok {
			got++
		}
	}
	assert.Equal(t, before, shared[:cap(shared)])
	assert.Len(t, sr.Ended(), g*per)
}

func TestBatchProducerRejected(t *testing.T) {
	_, err := interceptor.NewProducer(&kafka.ConfigMap{"bootstrap.servers": "localhost:1", "go.batch.producer": true})
	require.Error(t, err)
	kerr, ok := err.(kafka.Error)
	require.True(t, ok)
	assert.Equal(t, kafka.ErrInvalidArg, kerr.Code())
	assert.Contains(t, err.Error(), "go.batch.producer")

	_, err = interceptor.NewProducer(&kafka.ConfigMap{"bootstrap.servers": "localhost:1", "go.delivery.reports": 3})
	assert.ErrorContains(t, err, "go.delivery.reports")
}

// go.delivery.reports=false: no reports reach Events(), yet every span ends.
func TestDeliveryReportsOff(t *testing.T) {
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	tp, sr := recorder()
	p := newProducer(t, mc.BootstrapServers(), tp, kafka.ConfigMap{"go.delivery.reports": false})
	const n = 50
	for i := 0; i < n; i++ {
		require.NoError(t, p.Produce(&kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0}}, nil))
	}
	require.Zero(t, p.Flush(10000))
	assert.Len(t, sr.Ended(), n)
	select {
	case ev := <-p.Events():
		if _, isMsg := ev.(*kafka.Message); isMsg {
			t.Fatalf("report forwarded although go.delivery.reports=false: %v", ev)
		}
	default:
	}
}

// Flush and Len keep confluent-kafka-go's meaning: reports the application has
// not read from Events() are outstanding.
func TestFlushAndLenCountUnreadReports(t *testing.T) {
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	tp, _ := recorder()
	p := newProducer(t, mc.BootstrapServers(), tp, nil)
	const n = 10
	for i := 0; i < n; i++ {
		require.NoError(t, p.Produce(&kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0}}, nil))
	}
	assert.Equal(t, n, p.Flush(2000), "reports not read from Events() are outstanding")
	assert.Equal(t, n, p.Len())
	for i := 0; i < n; i++ {
		<-p.Events()
	}
	assert.Zero(t, p.Flush(1000))
	assert.Zero(t, p.Len())

	// With a deliveryChan, Flush returns once reports are handed over.
	dc := make(chan kafka.Event, n)
	for i := 0; i < n; i++ {
		require.NoError(t, p.Produce(&kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0}}, dc))
	}
	assert.Zero(t, p.Flush(10000))
	assert.Len(t, dc, n, "every report is in deliveryChan when Flush returns")
}

// Unsampled messages still carry context (flags 00) and no span is recorded;
// the report goes straight to the user's channel.
func TestUnsampledPropagates(t *testing.T) {
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	tp, sr := recorder(sdktrace.WithSampler(sdktrace.NeverSample()))
	p := newProducer(t, mc.BootstrapServers(), tp, nil)
	dc := make(chan kafka.Event, 1)
	require.NoError(t, p.Produce(&kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0}, Opaque: 7}, dc))
	ev := (<-dc).(*kafka.Message)
	assert.Equal(t, 7, ev.Opaque)
	assert.Empty(t, sr.Started())
	m := readAll(t, mc.BootstrapServers(), topic, 1, 1)[0]
	v, n := header(m, "traceparent")
	require.Equal(t, 1, n)
	assert.Regexp(t, `^00-[0-9a-f]{32}-[0-9a-f]{16}-00$`, v)
}

func TestProduceChannelTraced(t *testing.T) {
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	tp, sr := recorder()
	p := newProducer(t, mc.BootstrapServers(), tp, nil)
	for i := 0; i < 5; i++ {
		//lint:ignore SA1019 the deprecated ProduceChannel is what this test covers
		p.ProduceChannel() <- &kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0}, Opaque: i}
	}
	for got := 0; got < 5; {
		if m, ok := (<-p.Events()).(*kafka.Message); ok {
			require.NoError(t, m.TopicPartition.Error)
			got++
		}
	}
	assert.Len(t, sr.Ended(), 5)
}

func TestOptions(t *testing.T) {
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	tp, sr := recorder()
	p := newProducer(t, mc.BootstrapServers(), tp, kafka.ConfigMap{"client.id": "svc-a"},
		interceptor.WithRecordKey(true), interceptor.WithRecordBodySize(true),
		interceptor.WithPropagators(propagation.TraceContext{}),
		interceptor.WithSpanNameFormatter(func(op semconv.Operation, topic string) string { return "custom " + string(op) }),
	)
	dc := make(chan kafka.Event, 1)
	require.NoError(t, p.Produce(&kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0}, Key: []byte("k"), Value: []byte("12345")}, dc))
	<-dc
	s := sr.Ended()[0]
	a := attrs(s)
	assert.Equal(t, "custom send", s.Name())
	assert.Equal(t, "k", a["messaging.kafka.message.key"].AsString())
	assert.Equal(t, int64(5), a["messaging.message.body.size"].AsInt64())
	assert.Equal(t, "svc-a", a["messaging.client.id"].AsString())
	assert.Equal(t, "127.0.0.1", a["server.address"].AsString())
	assert.Equal(t, "kafka", a["messaging.system"].AsString())
}

// The copies handed to librdkafka are pooled: concurrent producers, sampled
// and unsampled messages mixed, each with its own key, value, header and
// Opaque, must each arrive with exactly their own, and every sampled one with
// the traceparent of its own send span (the one whose report named its
// partition and offset).
func TestConcurrentProduceCopiesNeverMix(t *testing.T) {
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 3)
	tp, sr := recorder(sdktrace.WithSampler(sdktrace.TraceIDRatioBased(0.5)))
	p := newProducer(t, mc.BootstrapServers(), tp, nil)

	const g, per = 8, 200
	var wg sync.WaitGroup
	for i := range g {
		wg.Go(func() {
			for j := range per {
				id := fmt.Sprintf("%d-%d", i, j)
				m := &kafka.Message{
					TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: kafka.PartitionAny},
					Key:            []byte("k" + id), Value: []byte("v" + id), Opaque: id,
					Headers: []kafka.Header{{Key: "id", Value: []byte(id)}},
				}
				if err := p.Produce(m, nil); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	for got := 0; got < g*per; {
		m, ok := (<-p.Events()).(*kafka.Message)
		if !ok {
			continue
		}
		got++
		require.NoError(t, m.TopicPartition.Error)
		assert.Equal(t, "v"+m.Opaque.(string), string(m.Value), "the report carries its own message and Opaque")
	}

	sendSpan := map[string]string{} // "partition/offset" -> span ID
	for _, s := range sr.Ended() {
		a := attrs(s)
		sendSpan[a["messaging.destination.partition.id"].AsString()+"/"+fmt.Sprint(a["messaging.kafka.offset"].AsInt64())] = s.SpanContext().SpanID().String()
	}
	require.NotEmpty(t, sendSpan, "some messages sampled")
	require.Less(t, len(sendSpan), g*per, "some messages unsampled")
	for _, m := range readAll(t, mc.BootstrapServers(), topic, 3, g*per) {
		id, n := header(m, "id")
		require.Equal(t, 1, n)
		assert.Equal(t, "k"+id, string(m.Key))
		assert.Equal(t, "v"+id, string(m.Value))
		tparent, n := header(m, "traceparent")
		require.Equal(t, 1, n, "exactly one traceparent")
		if want, ok := sendSpan[fmt.Sprintf("%d/%d", m.TopicPartition.Partition, m.TopicPartition.Offset)]; ok {
			assert.Equal(t, want, strings.Split(tparent, "-")[2], "a sampled message carries its own send span")
		} else {
			assert.True(t, strings.HasSuffix(tparent, "-00"), "an unsampled message says so: %s", tparent)
		}
	}
}
