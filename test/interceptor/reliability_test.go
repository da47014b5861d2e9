package interceptor_test

import (
	"context"
	"errors"
	"net"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/telemetry"
)

// Fault tests of the producer and the exporter: each injects a fault, proves
// that no message is lost and every span ends, and logs its figures (grep
// FIGURES). Consumer faults are in failures_test.go and storm_test.go;
// docs/RELIABILITY.md links to all of them.

// wire reads every message of topic from the beginning up to the high
// watermarks, with a plain consumer: what the broker really holds.
func wire(t *testing.T, bootstrap, topic string, partitions int) []*kafka.Message {
	t.Helper()
	c, err := kafka.NewConsumer(&kafka.ConfigMap{"bootstrap.servers": bootstrap, "group.id": "wire", "enable.auto.commit": false})
	require.NoError(t, err)
	defer c.Close()
	total := 0
	var tps []kafka.TopicPartition
	for p := 0; p < partitions; p++ {
		_, high, err := c.QueryWatermarkOffsets(topic, int32(p), 5000)
		require.NoError(t, err)
		total += int(high)
		tps = append(tps, kafka.TopicPartition{Topic: &topic, Partition: int32(p), Offset: kafka.OffsetBeginning})
	}
	require.NoError(t, c.Assign(tps))
	var out []*kafka.Message
	deadline := time.Now().Add(30 * time.Second)
	for len(out) < total && time.Now().Before(deadline) {
		if m, err := c.ReadMessage(100 * time.Millisecond); err == nil {
			out = append(out, m)
		}
	}
	require.Len(t, out, total, "messages below the high watermarks")
	return out
}

// The broker goes down in the middle of a steady stream of Produce calls and
// comes back: every message gets exactly one report, and its span says the
// same thing: delivered (OK, partition and offset of the report, on the wire)
// or failed (error status and error.type). None is silently missing.
func TestBrokerDownThenUpLosesNothing(t *testing.T) {
	a := account(t)
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 3)
	tp, sr := recorder(a.option())
	p := newProducer(t, mc.BootstrapServers(), tp, kafka.ConfigMap{
		"message.timeout.ms": 1500, "reconnect.backoff.ms": 50, "reconnect.backoff.max.ms": 200,
	})

	// Applications read Events(): broker errors arrive there, and Flush
	// (like confluent-kafka-go's) counts what is unread.
	var brokerErrors atomic.Int64
	eventsDone := make(chan struct{})
	go func() {
		defer close(eventsDone)
		for ev := range p.Events() {
			if _, ok := ev.(kafka.Error); ok {
				brokerErrors.Add(1)
			}
		}
	}()

	dc := make(chan kafka.Event, 100_000)
	var sent atomic.Int64
	stop := make(chan struct{})
	producing := make(chan struct{})
	go func() {
		defer close(producing)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			err := p.Produce(&kafka.Message{
				TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: kafka.PartitionAny},
				Value:          []byte(strconv.Itoa(i)), Opaque: i,
			}, dc)
			if err != nil {
				t.Errorf("Produce: %v", err)
				return
			}
			sent.Add(1)
			time.Sleep(500 * time.Microsecond) // a steady stream, not a burst
		}
	}()

	reports := map[int]*kafka.Message{}
	var delivered, failed int
	collect := func(until func() bool) {
		t.Helper()
		timeout := time.After(60 * time.Second)
		for !until() {
			select {
			case ev := <-dc:
				m := ev.(*kafka.Message)
				i := m.Opaque.(int)
				require.NotContains(t, reports, i, "one report per message")
				reports[i] = m
				if m.TopicPartition.Error == nil {
					delivered++
				} else {
					failed++
				}
			case <-timeout:
				t.Fatalf("stuck: %d sent, %d delivered, %d failed", sent.Load(), delivered, failed)
			}
		}
	}

	collect(func() bool { return delivered >= 300 })
	require.NoError(t, mc.SetBrokerDown(1))
	downAt := sent.Load()
	collect(func() bool { return failed > 0 }) // the outage outlived message.timeout.ms
	require.NoError(t, mc.SetBrokerUp(1))
	upAt := sent.Load()
	base := delivered
	collect(func() bool { return delivered >= base+300 })
	close(stop)
	<-producing
	require.Zero(t, p.Flush(30_000))
	collect(func() bool { return len(reports) == int(sent.Load()) })
	p.Close()
	<-eventsDone // Events() closes with the producer

	n := int(sent.Load())
	for i := 0; i < n; i++ {
		require.Contains(t, reports, i, "message %d has a report", i)
	}

	// Spans agree with reports.
	okSpans := map[pos]bool{}
	errSpans := 0
	for _, s := range sr.Ended() {
		require.Equal(t, trace.SpanKindProducer, s.SpanKind())
		at := attrs(s)
		if s.Status().Code == codes.Error {
			errSpans++
			assert.NotEmpty(t, at["error.type"].AsString())
			continue
		}
		part, _ := strconv.Atoi(at["messaging.destination.partition.id"].AsString())
		require.True(t, at["messaging.kafka.offset"].Type() != 0, "a delivered span has its offset")
		okSpans[pos{int32(part), kafka.Offset(at["messaging.kafka.offset"].AsInt64())}] = true
	}
	assert.Equal(t, failed, errSpans, "one error span per failed report")
	require.Len(t, okSpans, delivered, "one OK span per delivered report")

	// Delivered means on the wire, at the reported place.
	onWire := map[pos]string{}
	ids := map[string]int{}
	for _, m := range wire(t, mc.BootstrapServers(), topic, 3) {
		onWire[posOf(m)] = string(m.Value)
		ids[string(m.Value)]++
	}
	dups := 0
	for _, c := range ids {
		dups += c - 1
	}
	for i, m := range reports {
		if m.TopicPartition.Error != nil {
			continue
		}
		assert.Equal(t, strconv.Itoa(i), onWire[posOf(m)], "message %d is where its report says", i)
		assert.True(t, okSpans[posOf(m)], "message %d's span ended OK at its offset", i)
	}
	a.sent.Store(int64(n))
	a.received.Store(int64(len(ids)))
	a.duplicated.Store(int64(dups))
	a.note("delivered=%d failed=%d down_at=%d up_at=%d broker_errors=%d", delivered, failed, downAt, upAt, brokerErrors.Load())
	assert.Equal(t, n, delivered+failed, "nothing silently missing")
}

// blackhole accepts connections and never answers: a collector that hangs.
func blackhole(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// With the exporter down (closed port) or hanging (a blackhole that accepts
// and never answers), producing and consuming 20k messages through Run takes
// no longer than with no exporter, beyond a generous bound; the spans that
// could not be exported are dropped and counted, memory stays bounded, and
// every message is still consumed. Only spans are lost, never messages.
func TestExporterDownOrSlowDoesNotSlowPipeline(t *testing.T) {
	a := account(t)
	const n = 20_000
	hang := blackhole(t)
	var exportErrors atomic.Int64 // reported through otel.Handle, not lost
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(error) { exportErrors.Add(1) }))
	t.Cleanup(func() { otel.SetErrorHandler(otel.ErrorHandlerFunc(func(error) {})) })
	type result struct {
		took  time.Duration
		stats telemetry.SpanStats
		heap  uint64
	}
	heapInUse := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapInuse
	}
	run := func(exp telemetry.Exporter) result {
		before := heapInUse()
		topic := uniqueTopic(t)
		mc := mockCluster(t, topic, 3)
		cfg := telemetry.DefaultConfig()
		cfg.Exporter = exp
		cfg.Exporter.Insecure, cfg.Exporter.Timeout = true, 500*time.Millisecond
		prov, err := telemetry.New(context.Background(), telemetry.WithConfig(cfg))
		require.NoError(t, err)
		prov.RegisterSpanProcessor(a.ledger)
		p := newProducer(t, mc.BootstrapServers(), prov, kafka.ConfigMap{"go.delivery.reports": false})
		c := newConsumer(t, mc.BootstrapServers(), uniqueTopic(t), prov, nil)
		require.NoError(t, c.Subscribe(topic, nil))
		var handled atomic.Int64
		first, all := make(chan struct{}), make(chan struct{})
		stop := runConsumer(c, func(ctx context.Context, m *kafka.Message) error {
			switch handled.Add(1) {
			case 1:
				close(first)
			case n + 1:
				close(all)
			}
			return nil
		})
		produce := func() {
			for {
				err := p.Produce(&kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: kafka.PartitionAny}, Value: []byte("x")}, nil)
				var kerr kafka.Error
				if errors.As(err, &kerr) && kerr.Code() == kafka.ErrQueueFull {
					p.Flush(10) // librdkafka's back-pressure, the same in every run
					continue
				}
				require.NoError(t, err)
				return
			}
		}
		produce() // the consumer joins its group before the clock starts
		<-first
		start := time.Now()
		for range n {
			produce()
		}
		select {
		case <-all:
		case <-time.After(2 * time.Minute):
			t.Fatalf("consumed %d of %d", handled.Load()-1, n)
		}
		took := time.Since(start)
		after := heapInUse() // what the running pipeline holds
		grown := after - min(before, after)
		require.NoError(t, stop())
		require.NoError(t, c.Close())
		require.Zero(t, p.Flush(10_000))
		p.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = prov.Shutdown(ctx) // fails when the exporter is down: expected
		return result{took, prov.Stats(), grown}
	}

	none := run(telemetry.Exporter{Type: telemetry.ExporterNone})
	down := run(telemetry.Exporter{Type: telemetry.ExporterOTLP, Endpoint: "127.0.0.1:1"})
	slow := run(telemetry.Exporter{Type: telemetry.ExporterOTLP, Endpoint: hang})
	for _, r := range []struct {
		name string
		result
	}{{"none", none}, {"down", down}, {"blackhole", slow}} {
		t.Logf("exporter %-9s: %d messages produced and consumed in %v (%.0f msg/s, %.2fx none); spans exported %d, dropped %d; heap grown by %d MiB",
			r.name, n, r.took.Round(time.Millisecond), float64(n)/r.took.Seconds(), float64(r.took)/float64(none.took),
			r.stats.Exported, r.stats.Dropped(), r.heap>>20)
		a.note("%s=%.2fx/dropped=%d", r.name, float64(r.took)/float64(none.took), r.stats.Dropped())
		if r.name == "none" {
			continue
		}
		assert.Less(t, r.took, 3*none.took+2*time.Second, "exporter %s must not slow the pipeline", r.name)
		assert.Positive(t, r.stats.Dropped(), "exporter %s: dropped spans are counted", r.name)
		assert.Less(t, r.heap, none.heap+64<<20, "exporter %s: memory stays bounded", r.name)
	}
	a.sent.Store(3 * n)
	a.received.Store(3 * n)
	a.note("export_errors_reported=%d", exportErrors.Load())
	assert.Positive(t, exportErrors.Load(), "failed exports are reported through otel.Handle")
}

// Close with thousands of reports still arriving (the broker answers, slowly):
// every span ends exactly once, as delivered (OK, offset) or failed, the
// reports the application gets agree with the spans, and Close returns
// within a bound.
func TestProducerCloseRacesReports(t *testing.T) {
	a := account(t)
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	tp, sr := recorder(a.option())
	require.NoError(t, mc.SetRoundtripDuration(1, 20*time.Millisecond))
	p := newProducer(t, mc.BootstrapServers(), tp, kafka.ConfigMap{"batch.num.messages": 100})
	const n = 10_000
	dc := make(chan kafka.Event, n)
	var viaEvents atomic.Int64
	eventsDone := make(chan struct{})
	go func() {
		defer close(eventsDone)
		for ev := range p.Events() {
			if m, ok := ev.(*kafka.Message); ok && m.TopicPartition.Error == nil {
				viaEvents.Add(1)
			}
		}
	}()
	for i := range n {
		ch := dc
		if i%2 == 1 {
			ch = nil // the report goes to Events()
		}
		require.NoError(t, p.Produce(&kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0}, Value: []byte("v")}, ch))
	}
	for len(dc) == 0 { // some reports have arrived: Close races the rest
		runtime.Gosched()
	}
	start := time.Now()
	p.Close()
	took := time.Since(start)
	<-eventsDone
	close(dc)
	delivered := viaEvents.Load()
	for ev := range dc {
		if ev.(*kafka.Message).TopicPartition.Error == nil {
			delivered++
		}
	}
	assert.Less(t, took, 10*time.Second, "Close returns within a bound")

	ok, closedBefore, otherErr := 0, 0, 0
	for _, s := range sr.Ended() {
		switch {
		case s.Status().Code != codes.Error:
			ok++
			assert.True(t, attrs(s)["messaging.kafka.offset"].Type() != 0, "delivered spans carry the offset")
		case s.Status().Description == "producer closed before delivery":
			closedBefore++
		default:
			otherErr++
		}
	}
	assert.Equal(t, n, ok+closedBefore+otherErr, "every span ended once")
	assert.Equal(t, int(delivered), ok, "OK spans are exactly the delivered reports")
	a.sent.Store(n)
	a.received.Store(delivered)
	a.note("close_took=%v delivered=%d closed_before_delivery=%d other_errors=%d", took.Round(time.Millisecond), ok, closedBefore, otherErr)
}
