package interceptor_test

import (
	"context"
	"errors"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/interceptor"
)

// Fault tests of Consumer.Run: handler failures under each policy, stuck
// handlers, and Close from other goroutines. Each logs its figures (grep
// FIGURES); docs/RELIABILITY.md links here.

// A handler that fails on one message, by error or by panic, under each
// failure policy. Stop: Run returns a *interceptor.HandlerError naming it,
// nothing is committed past it, and a restarted consumer redoes only that
// message (and nothing it had finished). Skip: the span records the skip and
// every other message is processed. Either way the process survives, every
// span ends, and no message is lost.
func TestHandlerFailuresUnderEachPolicy(t *testing.T) {
	a := account(t)
	tp, sr := recorder(a.option())
	const n, bad = 40, 7
	for _, policy := range []interceptor.FailurePolicy{interceptor.StopOnFailure, interceptor.SkipOnFailure} {
		for _, how := range []string{"error", "panic"} {
			t.Run(policy.String()+"-"+how, func(t *testing.T) {
				t.Parallel()
				topic := uniqueTopic(t)
				mc := mockCluster(t, topic, 1)
				produceN(t, mc.BootstrapServers(), topic, tp, n, func(i int) string { return strconv.Itoa(i % 4) })
				group := uniqueTopic(t)
				var mu sync.Mutex
				finished := map[kafka.Offset]int{}
				seen := map[kafka.Offset]bool{}
				var failedAttempts atomic.Int32
				handler := func(failing bool) interceptor.Handler {
					return func(ctx context.Context, m *kafka.Message) error {
						mu.Lock()
						seen[m.TopicPartition.Offset] = true
						mu.Unlock()
						if failing && m.TopicPartition.Offset == bad {
							failedAttempts.Add(1)
							if how == "panic" {
								panic("handler bug on offset " + strconv.Itoa(bad))
							}
							return errors.New("cannot handle offset " + strconv.Itoa(bad))
						}
						mu.Lock()
						finished[m.TopicPartition.Offset]++
						mu.Unlock()
						return nil
					}
				}
				done := func() int {
					mu.Lock()
					defer mu.Unlock()
					return len(finished)
				}
				opts := []interceptor.Option{
					interceptor.WithRetry(2, func(int) time.Duration { return time.Millisecond }),
					interceptor.WithFailurePolicy(policy),
				}

				c := newConsumer(t, mc.BootstrapServers(), group, tp, nil, opts...)
				require.NoError(t, c.Subscribe(topic, nil))
				if policy == interceptor.StopOnFailure {
					err := c.Run(context.Background(), handler(true))
					var herr *interceptor.HandlerError
					require.ErrorAs(t, err, &herr)
					assert.Equal(t, kafka.Offset(bad), herr.TopicPartition.Offset)
					assert.Equal(t, 2, herr.Attempts)
					require.NoError(t, c.Close())
					assert.Equal(t, kafka.Offset(bad), committed(t, mc.BootstrapServers(), group, topic, 0),
						"nothing committed past the failed message")
					before := done()

					// The fix is deployed: a new consumer redoes the failed
					// message and nothing that had finished.
					c2 := newConsumer(t, mc.BootstrapServers(), group, tp, nil, opts...)
					require.NoError(t, c2.Subscribe(topic, nil))
					stop := runConsumer(c2, handler(false))
					require.Eventually(t, func() bool { return done() == n }, time.Minute, 5*time.Millisecond, "no message lost")
					require.NoError(t, stop())
					require.NoError(t, c2.Close())
					t.Logf("%s: first run finished %d, failed offset %d after %d attempts; restart finished the other %d",
						t.Name(), before, bad, failedAttempts.Load(), n-before)
				} else {
					stop := runConsumer(c, handler(true))
					require.Eventually(t, func() bool { return done() == n-1 }, time.Minute, 5*time.Millisecond)
					require.NoError(t, stop())
					require.NoError(t, c.Close())
					assert.Equal(t, kafka.Offset(n), committed(t, mc.BootstrapServers(), group, topic, 0), "the offset moved past the skipped message")
				}
				mu.Lock()
				defer mu.Unlock()
				for off, times := range finished {
					assert.Equal(t, 1, times, "offset %d finished once", off)
					a.duplicated.Add(int64(times - 1))
				}
				assert.Len(t, seen, n, "every message reached the handler")
				a.sent.Add(n)
				a.received.Add(int64(len(seen)))
			})
		}
	}
	t.Cleanup(func() {
		// The failed message's process spans: error status, one exception
		// event per attempt, skipped only under Skip.
		failed := 0
		for _, s := range sr.Ended() {
			if s.SpanKind() != trace.SpanKindConsumer || s.Status().Code != codes.Error {
				continue
			}
			failed++
			at := attrs(s)
			assert.Equal(t, int64(bad), at["messaging.kafka.offset"].AsInt64())
			assert.Len(t, s.Events(), 2, "one exception event per attempt")
			assert.NotEmpty(t, at["error.type"].AsString())
		}
		assert.Equal(t, 4, failed, "one failed process span per case")
	})
}

// A handler that ignores its ctx and never returns does not hang shutdown:
// Run returns once ShutdownTimeout and the cancel grace have passed, the
// stuck message's offset is not committed, and its span ends when the
// handler finally returns.
func TestStuckHandlerDoesNotHangShutdown(t *testing.T) {
	a := account(t)
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	tp, _ := recorder(a.option())
	const n, stuck = 10, 3
	produceN(t, mc.BootstrapServers(), topic, tp, n, nil)
	group := uniqueTopic(t)
	c := newConsumer(t, mc.BootstrapServers(), group, tp, nil,
		interceptor.WithOrdering(interceptor.Unordered), interceptor.WithShutdownTimeout(100*time.Millisecond))
	require.NoError(t, c.Subscribe(topic, nil))
	release, stuckRunning := make(chan struct{}), make(chan struct{})
	var finished atomic.Int32
	stop := runConsumer(c, func(ctx context.Context, m *kafka.Message) error {
		if m.TopicPartition.Offset == stuck {
			close(stuckRunning)
			<-release // ignores ctx
			return nil
		}
		finished.Add(1)
		return nil
	})
	<-stuckRunning
	require.Eventually(t, func() bool { return finished.Load() == n-1 }, 30*time.Second, 5*time.Millisecond)

	start := time.Now()
	require.NoError(t, stop())
	require.NoError(t, c.Close())
	took := time.Since(start)
	assert.Less(t, took, 5*time.Second, "shutdown with a stuck handler is bounded")
	assert.Equal(t, kafka.Offset(stuck), committed(t, mc.BootstrapServers(), group, topic, 0), "the stuck message is not committed")

	close(release)
	require.Eventually(t, func() bool { _, _, open := a.ledger.counts(); return open == 0 }, 10*time.Second, time.Millisecond,
		"the stuck message's span ends when its handler returns")
	a.sent.Store(n)
	a.received.Store(n)
	a.note("shutdown_with_stuck_handler=%v", took.Round(time.Millisecond))
}

// Close from two goroutines at once while eight handlers are running: Run
// returns nil, exactly one Close succeeds and the other returns
// confluent-kafka-go's error, handlers see their ctx cancelled, finished
// work is committed and nothing past unfinished work.
func TestConcurrentCloseWhileHandlersRun(t *testing.T) {
	a := account(t)
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	tp, sr := recorder(a.option())
	const n, inFlight = 100, 8
	produceN(t, mc.BootstrapServers(), topic, tp, n, nil)
	group := uniqueTopic(t)
	c := newConsumer(t, mc.BootstrapServers(), group, tp, nil, interceptor.WithOrdering(interceptor.Unordered),
		interceptor.WithMaxInFlight(inFlight), interceptor.WithShutdownTimeout(200*time.Millisecond))
	require.NoError(t, c.Subscribe(topic, nil))
	var running atomic.Int32
	full := make(chan struct{})
	var mu sync.Mutex
	finished := map[kafka.Offset]bool{}
	errc := make(chan error, 1)
	go func() {
		errc <- c.Run(context.Background(), func(ctx context.Context, m *kafka.Message) error {
			if m.TopicPartition.Offset >= 20 { // the first 20 finish, then eight block
				if running.Add(1) == inFlight {
					close(full)
				}
				<-ctx.Done()
				return ctx.Err()
			}
			mu.Lock()
			finished[m.TopicPartition.Offset] = true
			mu.Unlock()
			return nil
		})
	}()
	<-full

	start := time.Now()
	closeErrs := make(chan error, 2)
	var ready sync.WaitGroup
	ready.Add(2)
	gate := make(chan struct{})
	for range 2 {
		go func() {
			ready.Done()
			<-gate
			closeErrs <- c.Close()
		}()
	}
	ready.Wait()
	close(gate)
	e1, e2 := <-closeErrs, <-closeErrs
	took := time.Since(start)
	require.NoError(t, <-errc, "Run returns nil after Close")
	assert.True(t, (e1 == nil) != (e2 == nil), "exactly one Close succeeds: %v, %v", e1, e2)
	assert.Error(t, c.Close(), "a third Close")
	assert.Less(t, took, 5*time.Second)
	assert.Equal(t, kafka.Offset(20), committed(t, mc.BootstrapServers(), group, topic, 0), "finished work committed, nothing past it")

	abandoned := 0
	for _, s := range sr.Ended() {
		if attrs(s)["kafkatrace.abandoned"].AsBool() {
			abandoned++
			assert.Equal(t, codes.Error, s.Status().Code)
		}
	}
	assert.Equal(t, inFlight, abandoned, "the blocked handlers' spans end as abandoned")
	a.sent.Store(n)
	a.received.Store(int64(len(finished)) + int64(running.Load()))
	a.note("close_took=%v abandoned=%d", took.Round(time.Millisecond), abandoned)
}

// Close right after Run was started, many times over: whichever wins the
// race, Close never closes the consumer under a Run that is polling it, and
// Run returns.
func TestCloseRacingRunStart(t *testing.T) {
	a := account(t)
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	tp, _ := recorder(a.option())
	for i := range 20 {
		c := newConsumer(t, mc.BootstrapServers(), uniqueTopic(t), tp, nil)
		require.NoError(t, c.Subscribe(topic, nil))
		errc := make(chan error, 1)
		go func() {
			errc <- c.Run(context.Background(), func(context.Context, *kafka.Message) error { return nil })
		}()
		if i%2 == 1 {
			runtime.Gosched()
		}
		require.NoError(t, c.Close())
		select {
		case err := <-errc:
			if err != nil { // Run lost the race: it saw a closed consumer
				require.ErrorIs(t, err, interceptor.ErrConsumerClosed)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("Run did not return after Close")
		}
	}
}
