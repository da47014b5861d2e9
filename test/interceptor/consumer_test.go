package interceptor_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/interceptor"
)

func consumerConf(bootstrap, group string, extra kafka.ConfigMap) *kafka.ConfigMap {
	conf := kafka.ConfigMap{
		"bootstrap.servers":       bootstrap,
		"group.id":                group,
		"auto.offset.reset":       "earliest",
		"auto.commit.interval.ms": 100,
		"session.timeout.ms":      6000,
		"heartbeat.interval.ms":   500,
	}
	for k, v := range extra {
		conf[k] = v
	}
	return &conf
}

func newConsumer(t *testing.T, bootstrap, group string, tp trace.TracerProvider, extra kafka.ConfigMap, opts ...interceptor.Option) *interceptor.Consumer {
	t.Helper()
	c, err := interceptor.NewConsumer(consumerConf(bootstrap, group, extra),
		append([]interceptor.Option{interceptor.WithTracerProvider(tp)}, opts...)...)
	require.NoError(t, err)
	return c
}

// produceN produces n messages with keys from key(i) through a traced
// producer and waits for every report.
func produceN(t *testing.T, bootstrap, topic string, tp trace.TracerProvider, n int, key func(i int) string) {
	t.Helper()
	p := newProducer(t, bootstrap, tp, nil)
	dc := make(chan kafka.Event, n)
	for i := 0; i < n; i++ {
		m := &kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: kafka.PartitionAny}, Value: []byte(strconv.Itoa(i))}
		if key != nil {
			m.Key = []byte(key(i))
		}
		require.NoError(t, p.Produce(m, dc))
	}
	for i := 0; i < n; i++ {
		require.NoError(t, (<-dc).(*kafka.Message).TopicPartition.Error)
	}
}

type pos struct {
	p int32
	o kafka.Offset
}

func posOf(m *kafka.Message) pos { return pos{m.TopicPartition.Partition, m.TopicPartition.Offset} }

// runConsumer runs c.Run in a goroutine; stop cancels it and returns Run's
// error.
func runConsumer(c *interceptor.Consumer, h interceptor.Handler) (stop func() error) {
	return inBackground(func(ctx context.Context) error { return c.Run(ctx, h) })
}

// runBatch runs c.RunBatch in a goroutine; stop cancels it and returns its
// error.
func runBatch(c *interceptor.Consumer, h interceptor.BatchHandler) (stop func() error) {
	return inBackground(func(ctx context.Context) error { return c.RunBatch(ctx, h) })
}

// inBackground runs run in a goroutine; stop cancels its ctx and returns
// its error (the same error to every call).
func inBackground(run func(ctx context.Context) error) (stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- run(ctx) }()
	var once sync.Once
	var err error
	return func() error {
		once.Do(func() { cancel(); err = <-errc })
		return err
	}
}

// The acceptance test of the consumer: 3 partitions, 10k messages over 100
// keys, random handler delays.
func TestRunOrderedExactlyOnceWithSpans(t *testing.T) {
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 3)
	tp, sr := recorder()
	const n, keys, maxInFlight = 10000, 100, 32
	produceN(t, mc.BootstrapServers(), topic, tp, n, func(i int) string { return fmt.Sprint("key-", i%keys) })

	c := newConsumer(t, mc.BootstrapServers(), uniqueTopic(t), tp, nil,
		interceptor.WithMaxInFlight(maxInFlight), interceptor.WithOrdering(interceptor.ByKey))
	require.NoError(t, c.Subscribe(topic, nil))

	type rec struct {
		key        string
		start, end time.Time
		span       trace.SpanContext
	}
	var mu sync.Mutex
	handled := map[pos]*rec{}
	dups := 0
	running := map[string]bool{}
	var overlap []string
	lastByKey := map[string]kafka.Offset{}
	var outOfOrder []string
	var count atomic.Int64
	all := make(chan struct{})

	stop := runConsumer(c, func(ctx context.Context, m *kafka.Message) error {
		r := &rec{key: string(m.Key), start: time.Now(), span: trace.SpanContextFromContext(ctx)}
		mu.Lock()
		if running[r.key] {
			overlap = append(overlap, r.key)
		}
		running[r.key] = true
		if last, ok := lastByKey[r.key]; ok && last >= m.TopicPartition.Offset {
			outOfOrder = append(outOfOrder, r.key)
		}
		lastByKey[r.key] = m.TopicPartition.Offset
		if _, seen := handled[posOf(m)]; seen {
			dups++
		}
		handled[posOf(m)] = r
		mu.Unlock()

		time.Sleep(time.Duration(rand.IntN(2000)) * time.Microsecond) // the handler's work

		mu.Lock()
		running[r.key] = false
		r.end = time.Now()
		mu.Unlock()
		if count.Add(1) == n {
			close(all)
		}
		return nil
	})
	select {
	case <-all:
	case <-time.After(2 * time.Minute):
		t.Fatalf("handled %d of %d", count.Load(), n)
	}
	maxRunning := c.Stats().MaxRunning
	require.NoError(t, stop())
	require.NoError(t, c.Close())

	mu.Lock()
	defer mu.Unlock()
	assert.Len(t, handled, n, "every message handled")
	assert.Zero(t, dups, "no message handled twice")
	assert.Empty(t, overlap, "same key never concurrent")
	assert.Empty(t, outOfOrder, "per key, handling order equals offset order")
	assert.Equal(t, maxInFlight, maxRunning, "concurrency reaches the in-flight bound")

	sends := map[pos]sdktrace.ReadOnlySpan{}
	procs := map[pos]sdktrace.ReadOnlySpan{}
	for _, s := range sr.Ended() {
		a := attrs(s)
		p, _ := strconv.Atoi(a["messaging.destination.partition.id"].AsString())
		k := pos{int32(p), kafka.Offset(a["messaging.kafka.offset"].AsInt64())}
		switch s.SpanKind() {
		case trace.SpanKindProducer:
			sends[k] = s
		case trace.SpanKindConsumer:
			procs[k] = s
			assert.Equal(t, "process "+topic, s.Name())
			assert.Equal(t, "process", a["messaging.operation.type"].AsString())
			assert.NotEmpty(t, a["messaging.consumer.group.name"].AsString())
			assert.True(t, a["kafkatrace.message.time_in_queue_ms"].Type() != 0, "time in queue recorded")
		}
	}
	require.Len(t, procs, n)
	for k, ps := range procs {
		send, ok := sends[k]
		require.True(t, ok, "send span for %v", k)
		require.Equal(t, send.SpanContext().SpanID(), ps.Parent().SpanID(), "process span's parent is the send span")
		require.Equal(t, send.SpanContext().TraceID(), ps.SpanContext().TraceID())
		r := handled[k]
		require.Equal(t, ps.SpanContext().SpanID(), r.span.SpanID(), "handler ctx carries the process span")
		require.False(t, ps.StartTime().After(r.start), "span starts before the handler")
		require.False(t, ps.EndTime().Before(r.end), "span ends after the handler")
	}
	assert.Zero(t, openSpans(sr))
}

// A handler that produces with its ctx keeps the chain in one trace.
func TestConsumeProduceChainIsOneTrace(t *testing.T) {
	in, out := uniqueTopic(t), uniqueTopic(t)+"-out"
	mc := mockCluster(t, in, 1)
	require.NoError(t, mc.CreateTopic(out, 1, 1))
	tp, sr := recorder()
	produceN(t, mc.BootstrapServers(), in, tp, 1, nil)

	p := newProducer(t, mc.BootstrapServers(), tp, nil)
	first := newConsumer(t, mc.BootstrapServers(), uniqueTopic(t), tp, nil)
	require.NoError(t, first.Subscribe(in, nil))
	forwarded := make(chan struct{})
	stop1 := runConsumer(first, func(ctx context.Context, m *kafka.Message) error {
		dc := make(chan kafka.Event, 1)
		if err := p.ProduceContext(ctx, &kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &out, Partition: kafka.PartitionAny}}, dc); err != nil {
			return err
		}
		if err := (<-dc).(*kafka.Message).TopicPartition.Error; err != nil {
			return err
		}
		close(forwarded)
		return nil
	})
	<-forwarded
	require.NoError(t, stop1())
	require.NoError(t, first.Close())

	second := newConsumer(t, mc.BootstrapServers(), uniqueTopic(t), tp, nil)
	require.NoError(t, second.Subscribe(out, nil))
	got := make(chan trace.SpanContext, 1)
	stop2 := runConsumer(second, func(ctx context.Context, m *kafka.Message) error {
		got <- trace.SpanContextFromContext(ctx)
		return nil
	})
	downstream := <-got
	require.NoError(t, stop2())
	require.NoError(t, second.Close())

	var root trace.TraceID
	for _, s := range sr.Ended() {
		if s.Name() == "send "+in {
			root = s.SpanContext().TraceID()
		}
	}
	require.True(t, root.IsValid())
	assert.Equal(t, root, downstream.TraceID(), "downstream consumer span shares the original trace")
	names := map[string]int{}
	for _, s := range sr.Ended() {
		if s.SpanContext().TraceID() == root {
			names[s.Name()]++
		}
	}
	assert.Equal(t, map[string]int{"send " + in: 1, "process " + in: 1, "send " + out: 1, "process " + out: 1}, names)
}

// committed reads the group's committed offset of one partition with a
// consumer that does not join the group.
func committed(t *testing.T, bootstrap, group, topic string, partition int32) kafka.Offset {
	t.Helper()
	c, err := kafka.NewConsumer(&kafka.ConfigMap{"bootstrap.servers": bootstrap, "group.id": group})
	require.NoError(t, err)
	defer c.Close()
	offs, err := c.Committed([]kafka.TopicPartition{{Topic: &topic, Partition: partition}}, 5000)
	require.NoError(t, err)
	return offs[0].Offset
}

// Offset 5 slow, 0..4 and 6..9 fast: the committed offset stays 5 until 5
// finishes, then becomes 10.
func TestCommittedOffsetHoldsAtSlowMessage(t *testing.T) {
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	tp, _ := recorder()
	produceN(t, mc.BootstrapServers(), topic, tp, 10, func(i int) string { return strconv.Itoa(i) })
	group := uniqueTopic(t)
	c := newConsumer(t, mc.BootstrapServers(), group, tp, nil, interceptor.WithOrdering(interceptor.Unordered))
	require.NoError(t, c.Subscribe(topic, nil))
	release := make(chan struct{})
	var fast atomic.Int32
	stop := runConsumer(c, func(ctx context.Context, m *kafka.Message) error {
		if m.TopicPartition.Offset == 5 {
			<-release
			return nil
		}
		fast.Add(1)
		return nil
	})
	require.Eventually(t, func() bool { return fast.Load() == 9 }, 30*time.Second, 5*time.Millisecond)
	require.Eventually(t, func() bool { return committed(t, mc.BootstrapServers(), group, topic, 0) == 5 },
		10*time.Second, 50*time.Millisecond, "committed offset reaches 5")
	// Several auto-commit intervals later it is still 5.
	for i := 0; i < 5; i++ {
		require.Equal(t, kafka.Offset(5), committed(t, mc.BootstrapServers(), group, topic, 0))
	}
	close(release)
	require.Eventually(t, func() bool { return committed(t, mc.BootstrapServers(), group, topic, 0) == 10 },
		10*time.Second, 50*time.Millisecond, "committed offset jumps to 10")
	require.NoError(t, stop())
	require.NoError(t, c.Close())
}

// Stop a consumer mid-stream, start another in the same group: nothing is
// lost, and only messages whose handlers had not finished are seen twice.
func TestKillAndRestartLosesNothing(t *testing.T) {
	acct := account(t)
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 3)
	tp, _ := recorder(acct.option())
	const n = 600
	produceN(t, mc.BootstrapServers(), topic, tp, n, func(i int) string { return strconv.Itoa(i % 50) })
	group := uniqueTopic(t)

	var mu sync.Mutex
	finishedA := map[pos]bool{}
	seenB := map[pos]int{}

	a := newConsumer(t, mc.BootstrapServers(), group, tp, nil,
		interceptor.WithShutdownTimeout(100*time.Millisecond), interceptor.WithMaxInFlight(16))
	require.NoError(t, a.Subscribe(topic, nil))
	var countA atomic.Int32
	half := make(chan struct{})
	stopA := runConsumer(a, func(ctx context.Context, m *kafka.Message) error {
		c := countA.Add(1)
		if c == n/2 {
			close(half)
		}
		if c > n/2-8 && c <= n/2-3 {
			// Five handlers are still running when A stops, and only
			// return when their ctx is cancelled (abandoned).
			<-ctx.Done()
			return ctx.Err()
		}
		mu.Lock()
		finishedA[posOf(m)] = true
		mu.Unlock()
		return nil
	})
	<-half
	require.NoError(t, stopA())
	require.NoError(t, a.Close())

	b := newConsumer(t, mc.BootstrapServers(), group, tp, nil)
	require.NoError(t, b.Subscribe(topic, nil))
	total := func() int {
		mu.Lock()
		defer mu.Unlock()
		all := map[pos]bool{}
		for k := range finishedA {
			all[k] = true
		}
		for k := range seenB {
			all[k] = true
		}
		return len(all)
	}
	stopB := runConsumer(b, func(ctx context.Context, m *kafka.Message) error {
		mu.Lock()
		seenB[posOf(m)]++
		mu.Unlock()
		return nil
	})
	require.Eventually(t, func() bool { return total() == n }, time.Minute, 10*time.Millisecond, "no message lost")
	require.NoError(t, stopB())
	require.NoError(t, b.Close())

	mu.Lock()
	defer mu.Unlock()
	dups := 0
	for k, times := range seenB {
		assert.Equal(t, 1, times, "B handles %v once", k)
		if finishedA[k] {
			dups++
		}
	}
	// Finished work is committed at shutdown, so B repeats none of it; the
	// abandoned messages are redelivered to B.
	assert.Zero(t, dups, "duplicates only of unfinished work")
	assert.GreaterOrEqual(t, len(seenB), n-len(finishedA))
	t.Logf("A finished %d, B handled %d, duplicates %d", len(finishedA), len(seenB), dups)
	acct.sent.Store(n)
	acct.received.Store(int64(len(finishedA) + len(seenB) - dups))
	acct.duplicated.Store(int64(dups))
	acct.note("a_finished=%d b_handled=%d abandoned_by_a=5", len(finishedA), len(seenB))
}

// Two consumers join and leave while processing, under the eager and the
// cooperative protocol: nothing lost, nothing committed past unfinished
// work, every Close returns within a bound. Handlers are paced by tokens so
// that each rebalance really happens while work is in flight.
func TestRebalanceDuringProcessing(t *testing.T) {
	for _, strategy := range []string{"range", "cooperative-sticky"} {
		t.Run(strategy, func(t *testing.T) {
			topic := uniqueTopic(t)
			mc := mockCluster(t, topic, 4)
			tp, sr := recorder()
			const n = 1200
			produceN(t, mc.BootstrapServers(), topic, tp, n, func(i int) string { return strconv.Itoa(i % 40) })
			group := uniqueTopic(t)
			extra := kafka.ConfigMap{"partition.assignment.strategy": strategy}

			// Pacing: handlers take a token each. The feeder gives 200 a
			// second but stops at an allowance the test raises phase by
			// phase, so each rebalance happens with work in flight (handlers
			// waiting for tokens) and before everything is done. In the
			// last phase closing the channel lets every handler through.
			tokens := make(chan struct{}) // handed over one by one: none banked
			var allowance atomic.Int64
			allowance.Store(300)
			fast := make(chan struct{})
			feederDone := make(chan struct{})
			go func() {
				defer close(feederDone)
				defer close(tokens)
				tick := time.NewTicker(5 * time.Millisecond)
				defer tick.Stop()
				for given := int64(0); ; {
					select {
					case <-fast:
						return
					case <-tick.C:
					}
					if given >= allowance.Load() {
						continue
					}
					select {
					case tokens <- struct{}{}:
						given++
					case <-fast:
						return
					}
				}
			}()
			defer func() {
				select {
				case <-fast:
				default:
					close(fast)
				}
				<-feederDone
			}()

			var mu sync.Mutex
			finished := map[pos]bool{}
			var violations []string
			handler := func(ctx context.Context, m *kafka.Message) error {
				select {
				case <-tokens:
				case <-ctx.Done():
					return ctx.Err() // revoked or shut down while waiting: unfinished
				}
				mu.Lock()
				finished[posOf(m)] = true
				mu.Unlock()
				return nil
			}
			// checkCommitted asserts that everything below each committed
			// offset has finished.
			checkCommitted := func() {
				for p := int32(0); p < 4; p++ {
					c := committed(t, mc.BootstrapServers(), group, topic, p)
					mu.Lock()
					for o := kafka.Offset(0); o < c; o++ {
						if !finished[pos{p, o}] {
							violations = append(violations, fmt.Sprintf("p%d committed %d but %d unfinished", p, c, o))
							break
						}
					}
					mu.Unlock()
				}
			}
			done := func() int {
				mu.Lock()
				defer mu.Unlock()
				return len(finished)
			}
			assigned := func(c *interceptor.Consumer) func() bool {
				return func() bool {
					parts, err := c.Assignment()
					return err == nil && len(parts) > 0
				}
			}

			start := func() (*interceptor.Consumer, func() error) {
				c := newConsumer(t, mc.BootstrapServers(), group, tp, extra, interceptor.WithMaxInFlight(8),
					interceptor.WithShutdownTimeout(2*time.Second), interceptor.WithRevokeTimeout(2*time.Second))
				require.NoError(t, c.Subscribe(topic, nil))
				return c, runConsumer(c, handler)
			}
			closeWithin := func(c *interceptor.Consumer, stop func() error) {
				t0 := time.Now()
				require.NoError(t, stop())
				require.NoError(t, c.Close())
				assert.Less(t, time.Since(t0), 15*time.Second, "Close returns within a bound")
			}

			c1, stop1 := start()
			require.Eventually(t, func() bool { return done() > 50 }, time.Minute, 5*time.Millisecond)
			c2, stop2 := start() // join: a rebalance while c1 processes
			require.Eventually(t, assigned(c2), time.Minute, 10*time.Millisecond, "c2 gets partitions")
			require.Less(t, done(), n, "the rebalance happened during processing")
			checkCommitted()
			allowance.Store(600)
			closeWithin(c1, stop1) // leave, with work in flight
			c3, stop3 := start()   // join again
			require.Eventually(t, assigned(c3), time.Minute, 10*time.Millisecond, "c3 gets partitions")
			require.Less(t, done(), n, "the rebalance happened during processing")
			checkCommitted()
			allowance.Store(900)
			closeWithin(c2, stop2)
			close(fast)
			require.Eventually(t, func() bool { return done() == n }, time.Minute, 5*time.Millisecond, "no message lost")
			// c3 owns every partition now: once its stores are committed
			// the group is at the end of each partition.
			ends := map[int32]kafka.Offset{}
			mu.Lock()
			for k := range finished {
				ends[k.p] = max(ends[k.p], k.o+1)
			}
			mu.Unlock()
			var last []kafka.Offset
			require.Eventually(t, func() bool {
				// Nothing new to commit (ErrNoOffset) is fine: auto-commit
				// may have sent the stores already. A refused commit (a
				// rebalance still settling) is retried.
				if _, err := c3.Commit(); err != nil && err.(kafka.Error).Code() != kafka.ErrNoOffset {
					return false
				}
				last = last[:0]
				for p := int32(0); p < 4; p++ {
					last = append(last, committed(t, mc.BootstrapServers(), group, topic, p))
				}
				for p := int32(0); p < 4; p++ {
					if last[p] != ends[int32(p)] {
						return false
					}
				}
				return true
			}, 30*time.Second, 50*time.Millisecond, "committed offsets reach the end of every partition (last %v, ends %v)", &last, ends)
			closeWithin(c3, stop3)
			checkCommitted()
			mu.Lock()
			assert.Empty(t, violations)
			mu.Unlock()
			assert.Zero(t, openSpans(sr))
		})
	}
}

// A panicking handler: the process survives, the span is an error with the
// stack on an event, and the Skip policy lets the others through.
func TestPanickingHandler(t *testing.T) {
	acct := account(t)
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	tp, sr := recorder(acct.option())
	produceN(t, mc.BootstrapServers(), topic, tp, 3, func(i int) string { return "k" })
	c := newConsumer(t, mc.BootstrapServers(), uniqueTopic(t), tp, nil,
		interceptor.WithRetry(2, func(int) time.Duration { return time.Millisecond }),
		interceptor.WithFailurePolicy(interceptor.SkipOnFailure))
	require.NoError(t, c.Subscribe(topic, nil))
	var ok atomic.Int32
	stop := runConsumer(c, func(ctx context.Context, m *kafka.Message) error {
		if m.TopicPartition.Offset == 1 {
			panic("handler bug")
		}
		ok.Add(1)
		return nil
	})
	require.Eventually(t, func() bool { return ok.Load() == 2 }, 30*time.Second, 5*time.Millisecond)
	require.NoError(t, stop())
	require.NoError(t, c.Close())

	var failed sdktrace.ReadOnlySpan
	for _, s := range sr.Ended() {
		if s.SpanKind() == trace.SpanKindConsumer && attrs(s)["messaging.kafka.offset"].AsInt64() == 1 {
			failed = s
		}
	}
	require.NotNil(t, failed)
	assert.Equal(t, codes.Error, failed.Status().Code)
	a := attrs(failed)
	assert.True(t, a["kafkatrace.skipped"].AsBool())
	assert.Equal(t, int64(2), a["kafkatrace.attempts"].AsInt64())
	require.Len(t, failed.Events(), 2, "one exception event per attempt")
	ev := failed.Events()[0]
	assert.Equal(t, "exception", ev.Name)
	var stack string
	for _, kv := range ev.Attributes {
		if kv.Key == "exception.stacktrace" {
			stack = kv.Value.AsString()
		}
	}
	assert.Contains(t, stack, "consumer_test.go")
	acct.sent.Store(3)
	acct.received.Store(3)
}

// Under the default Stop policy, Run returns the handler's error and does
// not commit past the failed message.
func TestStopPolicyReturnsError(t *testing.T) {
	a := account(t)
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	tp, _ := recorder(a.option())
	produceN(t, mc.BootstrapServers(), topic, tp, 5, func(i int) string { return "k" })
	group := uniqueTopic(t)
	c := newConsumer(t, mc.BootstrapServers(), group, tp, nil, interceptor.WithRetry(2, func(int) time.Duration { return 0 }))
	require.NoError(t, c.Subscribe(topic, nil))
	errBad := errors.New("bad message")
	err := c.Run(context.Background(), func(ctx context.Context, m *kafka.Message) error {
		if m.TopicPartition.Offset == 2 {
			return errBad
		}
		return nil
	})
	var herr *interceptor.HandlerError
	require.ErrorAs(t, err, &herr)
	assert.ErrorIs(t, err, errBad)
	assert.Equal(t, kafka.Offset(2), herr.TopicPartition.Offset)
	require.NoError(t, c.Close())
	assert.Equal(t, kafka.Offset(2), committed(t, mc.BootstrapServers(), group, topic, 0))
	a.sent.Store(5)
	a.note("failed_offset=2 committed=2")
}

// Close from another goroutine during Run stops Run; a second Close returns
// confluent-kafka-go's error.
func TestCloseDuringRun(t *testing.T) {
	a := account(t)
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	tp, sr := recorder(a.option())
	produceN(t, mc.BootstrapServers(), topic, tp, 3, nil)
	c := newConsumer(t, mc.BootstrapServers(), uniqueTopic(t), tp, nil)
	require.NoError(t, c.Subscribe(topic, nil))
	got := make(chan struct{}, 3)
	errc := make(chan error, 1)
	go func() {
		errc <- c.Run(context.Background(), func(ctx context.Context, m *kafka.Message) error {
			got <- struct{}{}
			return nil
		})
	}()
	<-got
	require.NoError(t, c.Close())
	require.NoError(t, <-errc)
	assert.Error(t, c.Close(), "second Close")
	assert.Error(t, c.Run(context.Background(), func(context.Context, *kafka.Message) error { return nil }), "Run after Close")
	assert.Zero(t, openSpans(sr))
	a.sent.Store(3)
}

// Drop-in Poll and ReadMessage: receive spans linked to the producer, and
// offsets stored as librdkafka's auto store would.
func TestDropInPollAndReadMessage(t *testing.T) {
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	tp, sr := recorder()
	produceN(t, mc.BootstrapServers(), topic, tp, 4, nil)
	group := uniqueTopic(t)
	c := newConsumer(t, mc.BootstrapServers(), group, tp, nil)
	require.NoError(t, c.Subscribe(topic, nil))
	var msgs []*kafka.Message
	deadline := time.Now().Add(30 * time.Second)
	for len(msgs) < 2 && time.Now().Before(deadline) {
		if m, ok := c.Poll(100).(*kafka.Message); ok {
			msgs = append(msgs, m)
		}
	}
	for len(msgs) < 4 && time.Now().Before(deadline) {
		m, err := c.ReadMessage(100 * time.Millisecond)
		if err == nil {
			msgs = append(msgs, m)
		} else {
			require.True(t, err.(kafka.Error).IsTimeout(), "only timeouts: %v", err)
		}
	}
	require.Len(t, msgs, 4)
	_, err := c.Commit()
	require.NoError(t, err)
	assert.Equal(t, kafka.Offset(4), committed(t, mc.BootstrapServers(), group, topic, 0), "auto offset store emulated")

	_, err = c.ReadMessage(10 * time.Millisecond)
	require.Error(t, err)
	assert.True(t, err.(kafka.Error).IsTimeout())
	require.NoError(t, c.Close())

	sends := map[trace.SpanID]bool{}
	receives := 0
	for _, s := range sr.Ended() {
		switch s.SpanKind() {
		case trace.SpanKindProducer:
			sends[s.SpanContext().SpanID()] = true
		case trace.SpanKindClient:
			receives++
			assert.Equal(t, "receive "+topic, s.Name())
			assert.False(t, s.Parent().IsValid(), "receive spans are roots")
			require.Len(t, s.Links(), 1)
			assert.True(t, sends[s.Links()[0].SpanContext.SpanID()], "linked to its send span")
		}
	}
	assert.Equal(t, 4, receives)
}

type untrustAll struct{}

func (untrustAll) Untrusted(string) bool { return true }

// On untrusted topics (and with WithLinkOnly) the process span starts a new
// trace and links to the producer; untrusted baggage is dropped.
func TestStartProcessParentLinkAndUntrusted(t *testing.T) {
	tp, sr := recorder()
	topic := "orders"
	remote := "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	msg := func() *kafka.Message {
		return &kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0, Offset: 9},
			Headers: []kafka.Header{{Key: "traceparent", Value: []byte(remote)}, {Key: "baggage", Value: []byte("tenant=acme")}}}
	}
	for _, tc := range []struct {
		name      string
		opts      []interceptor.Option
		child     bool
		baggage   string
		untrusted bool
	}{
		{"default", nil, true, "acme", false},
		{"link-only", []interceptor.Option{interceptor.WithLinkOnly(true)}, false, "acme", false},
		{"untrusted", []interceptor.Option{interceptor.WithTopicPolicy(untrustAll{})}, false, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := kafka.NewConsumer(&kafka.ConfigMap{"bootstrap.servers": "127.0.0.1:1", "group.id": "g"})
			require.NoError(t, err)
			c := interceptor.WrapConsumer(raw, append([]interceptor.Option{interceptor.WithTracerProvider(tp)}, tc.opts...)...)
			defer func() { require.NoError(t, c.Close()) }()
			ctx, span := c.StartProcess(context.Background(), msg())
			span.End()
			assert.Equal(t, tc.baggage, baggage.FromContext(ctx).Member("tenant").Value())
			s := sr.Ended()[len(sr.Ended())-1]
			assert.Equal(t, trace.SpanKindConsumer, s.SpanKind())
			if tc.child {
				assert.Equal(t, "0af7651916cd43dd8448eb211c80319c", s.SpanContext().TraceID().String())
				assert.Equal(t, "b7ad6b7169203331", s.Parent().SpanID().String())
				assert.Empty(t, s.Links())
			} else {
				assert.NotEqual(t, "0af7651916cd43dd8448eb211c80319c", s.SpanContext().TraceID().String(), "new trace")
				assert.False(t, s.Parent().IsValid())
				require.Len(t, s.Links(), 1)
				assert.Equal(t, "b7ad6b7169203331", s.Links()[0].SpanContext.SpanID().String())
			}
			assert.Equal(t, tc.untrusted, attrs(s)["kafkatrace.untrusted"].AsBool())
		})
	}
}
