package poller_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/kafkatrace/kafkatrace/poller"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, cond func() bool, msg string, args ...any) {
	t.Helper()
	require.Eventually(t, cond, 10*time.Second, time.Millisecond, append([]any{msg}, args...)...)
}

// runPoller starts p.Run in a goroutine; the returned stop cancels it and
// returns Run's error.
func runPoller(p *poller.Poller) (stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- p.Run(ctx) }()
	return func() error {
		cancel()
		return <-errc
	}
}

// orderLog records, per lane, the offsets in the order handlers started.
type orderLog struct {
	mu      sync.Mutex
	starts  map[string][]int64
	running map[string]int
	handled map[string]int // "p/offset" -> times
	overlap []string
}

func newOrderLog() *orderLog {
	return &orderLog{starts: map[string][]int64{}, running: map[string]int{}, handled: map[string]int{}}
}

func (l *orderLog) begin(lane string, m *kafka.Message) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.starts[lane] = append(l.starts[lane], int64(m.TopicPartition.Offset))
	l.running[lane]++
	if l.running[lane] > 1 {
		l.overlap = append(l.overlap, lane)
	}
	l.handled[fmt.Sprintf("%d/%d", m.TopicPartition.Partition, m.TopicPartition.Offset)]++
}

func (l *orderLog) end(lane string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.running[lane]--
}

func (l *orderLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.handled)
}

func TestOrdering(t *testing.T) {
	for _, tc := range []struct {
		ordering poller.Ordering
		lane     func(m *kafka.Message) string
		serial   bool // the lane must never run two at once
	}{
		{poller.ByKey, func(m *kafka.Message) string { return fmt.Sprint(m.TopicPartition.Partition, "/", string(m.Key)) }, true},
		{poller.ByPartition, func(m *kafka.Message) string { return fmt.Sprint(m.TopicPartition.Partition) }, true},
		{poller.Unordered, func(m *kafka.Message) string { return fmt.Sprint(m.TopicPartition.Partition, "/", string(m.Key)) }, false},
	} {
		t.Run(tc.ordering.String(), func(t *testing.T) {
			src := newFake()
			const parts, perPart, keys, maxInFlight = 3, 300, 20, 8
			for o := 0; o < perPart; o++ {
				for p := 0; p < parts; p++ {
					src.push(msg(int32(p), int64(o), fmt.Sprint("k", rand.IntN(keys))))
				}
			}
			log := newOrderLog()
			pl := poller.New(src, func(ctx context.Context, m *kafka.Message) error {
				lane := tc.lane(m)
				log.begin(lane, m)
				time.Sleep(time.Duration(rand.IntN(300)) * time.Microsecond) // the work being done
				log.end(lane)
				return nil
			}, poller.Config{Ordering: tc.ordering, MaxInFlight: maxInFlight})
			stop := runPoller(pl)
			eventually(t, func() bool { return log.count() == parts*perPart }, "all handled")
			eventually(t, func() bool {
				for p := int32(0); p < parts; p++ {
					if o, _ := src.storedAt(p); o != perPart {
						return false
					}
				}
				return true
			}, "stored offsets reach the end")
			require.NoError(t, stop())

			for k, n := range log.handled {
				assert.Equal(t, 1, n, "message %s handled once", k)
			}
			if tc.serial {
				assert.Empty(t, log.overlap, "a lane ran two handlers at once")
				for lane, offs := range log.starts {
					for i := 1; i < len(offs); i++ {
						require.Less(t, offs[i-1], offs[i], "lane %s out of offset order", lane)
					}
				}
			}
			if tc.ordering != poller.ByPartition {
				assert.Equal(t, maxInFlight, pl.Stats().MaxRunning, "concurrency reaches the bound")
			} else {
				assert.LessOrEqual(t, pl.Stats().MaxRunning, parts)
			}
			assert.LessOrEqual(t, pl.Stats().MaxRunning, maxInFlight)
			for p := int32(0); p < parts; p++ {
				c, _ := src.committedAt(p)
				assert.Equal(t, kafka.Offset(perPart), c, "committed at shutdown")
			}
		})
	}
}

// Offset 5 slow, 0..4 and 6..9 fast: the stored offset stays at 5 until 5
// finishes, then jumps to 10.
func TestWatermarkHoldsAtSlowMessage(t *testing.T) {
	src := newFake()
	release := make(chan struct{})
	var done atomic.Int32
	pl := poller.New(src, func(ctx context.Context, m *kafka.Message) error {
		if m.TopicPartition.Offset == 5 {
			<-release
		}
		done.Add(1)
		return nil
	}, poller.Config{Ordering: poller.Unordered, MaxInFlight: 16})
	for o := int64(0); o < 10; o++ {
		src.push(msg(0, o, ""))
	}
	stop := runPoller(pl)
	eventually(t, func() bool { return done.Load() == 9 }, "nine fast messages done")
	eventually(t, func() bool { o, _ := src.storedAt(0); return o == 5 }, "stored offset at 5")
	src.push(msg(1, 0, "")) // more poll rounds: still 5
	eventually(t, func() bool { o, _ := src.storedAt(1); return o == 1 }, "other partition progresses")
	o, _ := src.storedAt(0)
	assert.Equal(t, kafka.Offset(5), o)
	close(release)
	eventually(t, func() bool { o, _ := src.storedAt(0); return o == 10 }, "stored offset jumps to 10")
	require.NoError(t, stop())
}

// Gaps in offsets (compaction, transaction markers) do not hold the
// watermark.
func TestWatermarkAcrossOffsetGaps(t *testing.T) {
	src := newFake()
	pl := poller.New(src, func(context.Context, *kafka.Message) error { return nil }, poller.Config{})
	src.push(msg(0, 3, "a"), msg(0, 7, "a"), msg(0, 20, "b"))
	stop := runPoller(pl)
	eventually(t, func() bool { o, _ := src.storedAt(0); return o == 21 }, "stored 21")
	require.NoError(t, stop())
}

type recHook struct {
	mu      sync.Mutex
	results map[int64]poller.Result
	fails   map[int64][]error
}

func newRecHook() *recHook {
	return &recHook{results: map[int64]poller.Result{}, fails: map[int64][]error{}}
}

type recObs struct {
	h   *recHook
	off int64
}

func (h *recHook) Begin(ctx context.Context, m *kafka.Message, _ time.Time) (context.Context, poller.Observer) {
	return ctx, &recObs{h, int64(m.TopicPartition.Offset)}
}
func (o *recObs) Failed(_ int, err error) {
	o.h.mu.Lock()
	defer o.h.mu.Unlock()
	o.h.fails[o.off] = append(o.h.fails[o.off], err)
}
func (o *recObs) End(r poller.Result) {
	o.h.mu.Lock()
	defer o.h.mu.Unlock()
	o.h.results[o.off] = r
}
func (h *recHook) result(off int64) (poller.Result, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r, ok := h.results[off]
	return r, ok
}

var errBoom = errors.New("boom")

func TestStopPolicyStopsWithoutCommittingPastFailure(t *testing.T) {
	src := newFake()
	hook := newRecHook()
	var calls atomic.Int32
	pl := poller.New(src, func(ctx context.Context, m *kafka.Message) error {
		if m.TopicPartition.Offset == 3 {
			calls.Add(1)
			return errBoom
		}
		return nil
	}, poller.Config{Ordering: poller.ByPartition, Attempts: 3, Backoff: func(int) time.Duration { return time.Millisecond }, Hook: hook})
	for o := int64(0); o < 10; o++ {
		src.push(msg(0, o, ""))
	}
	err := pl.Run(context.Background()) // returns by itself
	var herr *poller.HandlerError
	require.ErrorAs(t, err, &herr)
	assert.ErrorIs(t, err, errBoom)
	assert.Equal(t, kafka.Offset(3), herr.TopicPartition.Offset)
	assert.Equal(t, 3, herr.Attempts)
	assert.Equal(t, int32(3), calls.Load())
	o, _ := src.committedAt(0)
	assert.Equal(t, kafka.Offset(3), o, "nothing committed past the failed offset")
	r, _ := hook.result(3)
	assert.Equal(t, 3, r.Attempts)
	assert.False(t, r.Skipped)
	assert.Len(t, hook.fails[3], 3)
	_, ran := hook.result(4)
	assert.False(t, ran, "ByPartition: nothing after the failure runs")
}

func TestSkipPolicyAdvances(t *testing.T) {
	src := newFake()
	hook := newRecHook()
	pl := poller.New(src, func(ctx context.Context, m *kafka.Message) error {
		if m.TopicPartition.Offset == 1 {
			return errBoom
		}
		return nil
	}, poller.Config{Attempts: 2, Backoff: func(int) time.Duration { return 0 }, OnFailure: poller.SkipOnFailure, Hook: hook})
	src.push(msg(0, 0, "a"), msg(0, 1, "a"), msg(0, 2, "a"))
	stop := runPoller(pl)
	eventually(t, func() bool { o, _ := src.storedAt(0); return o == 3 }, "stored past the skipped message")
	require.NoError(t, stop())
	r, _ := hook.result(1)
	assert.True(t, r.Skipped)
	assert.Equal(t, 2, r.Attempts)
	assert.ErrorIs(t, r.Err, errBoom)
}

func TestPanicRecovered(t *testing.T) {
	src := newFake()
	hook := newRecHook()
	pl := poller.New(src, func(ctx context.Context, m *kafka.Message) error {
		if m.TopicPartition.Offset == 0 {
			panic("kaboom")
		}
		return nil
	}, poller.Config{Attempts: 1, OnFailure: poller.SkipOnFailure, Hook: hook})
	src.push(msg(0, 0, "a"), msg(0, 1, "a"))
	stop := runPoller(pl)
	eventually(t, func() bool { o, _ := src.storedAt(0); return o == 2 }, "process survives the panic")
	require.NoError(t, stop())
	r, _ := hook.result(0)
	var perr *poller.PanicError
	require.ErrorAs(t, r.Err, &perr)
	assert.Equal(t, "kaboom", perr.Value)
	assert.Contains(t, string(perr.Stack), "poller_test.go")
}

// A panic under the default (Stop) policy stops Run with the panic as cause.
func TestPanicStopsUnderDefaultPolicy(t *testing.T) {
	src := newFake()
	pl := poller.New(src, func(ctx context.Context, m *kafka.Message) error { panic("kaboom") },
		poller.Config{Backoff: func(int) time.Duration { return 0 }})
	src.push(msg(0, 0, "a"))
	err := pl.Run(context.Background())
	var perr *poller.PanicError
	require.ErrorAs(t, err, &perr)
}

func TestBackpressurePausesAndResumes(t *testing.T) {
	src := newFake()
	release := make(chan struct{})
	var done atomic.Int32
	pl := poller.New(src, func(ctx context.Context, m *kafka.Message) error {
		<-release
		done.Add(1)
		return nil
	}, poller.Config{Ordering: poller.ByPartition, MaxInFlight: 2, MaxBuffered: 4})
	const n = 40
	for o := int64(0); o < n; o++ {
		src.push(msg(int32(o%2), o/2, ""))
	}
	stop := runPoller(pl)
	eventually(t, func() bool { return pl.Stats().Paused == 2 }, "both partitions paused")
	st := pl.Stats()
	assert.Equal(t, 2, st.Running)
	// MaxBuffered, plus at most one message per PollTimeout (100ms) while
	// the full buffer waited pauseAfter (1s) before pausing, plus one
	// poll per partition.
	assert.LessOrEqual(t, st.Buffered, 4+10+2, "buffer bounded")
	close(release)
	eventually(t, func() bool { return done.Load() == n }, "all done after resume")
	require.NoError(t, stop())
	src.mu.Lock()
	defer src.mu.Unlock()
	assert.Positive(t, src.resumes)
	assert.False(t, src.paused[0] || src.paused[1], "nothing left paused")
}

// Revoke waits for running handlers, cancels them after RevokeTimeout,
// commits only finished work and drops unstarted messages.
func TestRevokeWaitsThenCancels(t *testing.T) {
	src := newFake()
	started := make(chan struct{}, 10)
	var cancelled atomic.Int32
	pl := poller.New(src, func(ctx context.Context, m *kafka.Message) error {
		if m.TopicPartition.Offset == 2 {
			started <- struct{}{}
			<-ctx.Done() // a handler that only stops when told
			cancelled.Add(1)
			return ctx.Err()
		}
		return nil
	}, poller.Config{Ordering: poller.ByPartition, RevokeTimeout: 50 * time.Millisecond, CancelGrace: 5 * time.Second})
	for o := int64(0); o < 6; o++ {
		src.push(msg(0, o, ""))
	}
	stop := runPoller(pl)
	<-started
	// Offsets 3 to 5 polled and waiting behind 2: the messages the revoke
	// must drop. (Revoked runs here beside Run's polling loop, not inside
	// Poll as in a rebalance callback; without this wait a message still
	// in the source could be polled after the revoke.)
	eventually(t, func() bool { return pl.Stats().Buffered == 3 }, "offsets 3 to 5 buffered")
	t0 := time.Now()
	pl.Revoked([]kafka.TopicPartition{msg(0, 0, "").TopicPartition}, false)
	assert.GreaterOrEqual(t, time.Since(t0), 50*time.Millisecond)
	assert.Equal(t, int32(1), cancelled.Load(), "handler cancelled after the timeout")
	c, _ := src.committedAt(0)
	assert.Equal(t, kafka.Offset(2), c, "committed up to the unfinished message")
	assert.Zero(t, pl.Stats().Buffered, "unstarted messages dropped")
	assert.Zero(t, pl.Stats().Partitions)
	require.NoError(t, stop())
}

// A revoke whose handlers finish in time commits all of it.
func TestRevokeCommitsFinishedWork(t *testing.T) {
	src := newFake()
	gate := make(chan struct{})
	started := make(chan struct{}, 1)
	pl := poller.New(src, func(ctx context.Context, m *kafka.Message) error {
		if m.TopicPartition.Offset == 1 {
			started <- struct{}{}
			<-gate
		}
		return nil
	}, poller.Config{Ordering: poller.ByPartition})
	src.push(msg(0, 0, ""), msg(0, 1, ""), msg(0, 2, ""))
	stop := runPoller(pl)
	<-started
	go func() { close(gate) }()
	pl.Revoked([]kafka.TopicPartition{msg(0, 0, "").TopicPartition}, false)
	c, _ := src.committedAt(0)
	assert.GreaterOrEqual(t, c, kafka.Offset(2), "the in-flight message finished before release")
	require.NoError(t, stop())
}

func TestShutdownWaitsForHandlers(t *testing.T) {
	src := newFake()
	started := make(chan struct{})
	finished := make(chan struct{})
	pl := poller.New(src, func(ctx context.Context, m *kafka.Message) error {
		close(started)
		time.Sleep(50 * time.Millisecond) // work that outlives the cancel
		close(finished)
		return nil
	}, poller.Config{})
	src.push(msg(0, 0, ""))
	stop := runPoller(pl)
	<-started
	require.NoError(t, stop())
	select {
	case <-finished:
	default:
		t.Fatal("Run returned before its handler finished")
	}
	c, _ := src.committedAt(0)
	assert.Equal(t, kafka.Offset(1), c)
}

func TestShutdownCancelsAfterTimeout(t *testing.T) {
	src := newFake()
	started := make(chan struct{})
	pl := poller.New(src, func(ctx context.Context, m *kafka.Message) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	}, poller.Config{ShutdownTimeout: 20 * time.Millisecond})
	src.push(msg(0, 0, ""))
	stop := runPoller(pl)
	<-started
	require.NoError(t, stop(), "an abandoned message is not a handler failure")
	c, _ := src.committedAt(0)
	assert.Equal(t, kafka.Offset(0), c, "abandoned message not committed past")
}

func TestAutoOffsetStoreIsAClearError(t *testing.T) {
	src := newFake()
	src.storeErr = kafka.NewError(kafka.ErrInvalidArg, "auto store on", false)
	pl := poller.New(src, func(context.Context, *kafka.Message) error { return nil }, poller.Config{})
	src.push(msg(0, 0, ""))
	err := pl.Run(context.Background())
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "enable.auto.offset.store=false"), err.Error())
}

func TestFatalErrorStopsRun(t *testing.T) {
	src := newFake()
	var events atomic.Int32
	pl := poller.New(src, func(context.Context, *kafka.Message) error { return nil },
		poller.Config{OnEvent: func(kafka.Event) { events.Add(1) }})
	src.push(kafka.NewError(kafka.ErrTransport, "transient", false), kafka.NewError(kafka.ErrFatal, "fatal", true))
	err := pl.Run(context.Background())
	var kerr kafka.Error
	require.ErrorAs(t, err, &kerr)
	assert.True(t, kerr.IsFatal())
	assert.Equal(t, int32(2), events.Load())
}

func TestExponentialBackoff(t *testing.T) {
	b := poller.ExponentialBackoff(10*time.Millisecond, 50*time.Millisecond)
	assert.Equal(t, 10*time.Millisecond, b(1))
	assert.Equal(t, 20*time.Millisecond, b(2))
	assert.Equal(t, 40*time.Millisecond, b(3))
	assert.Equal(t, 50*time.Millisecond, b(4))
	assert.Equal(t, 50*time.Millisecond, b(40))
}

// A message stuck until shutdown holds the committed offset, but the
// messages after it that finished are recorded in the commit metadata: the
// next owner runs only the unfinished one.
func TestFinishedWorkNotRepeatedByNextOwner(t *testing.T) {
	src := newFake()
	started := make(chan struct{})
	var doneA atomic.Int32
	a := poller.New(src, func(ctx context.Context, m *kafka.Message) error {
		if m.TopicPartition.Offset == 10 {
			close(started)
			<-ctx.Done()
			return ctx.Err()
		}
		doneA.Add(1)
		return nil
	}, poller.Config{Ordering: poller.Unordered, ShutdownTimeout: time.Millisecond})
	for o := int64(0); o < 100; o++ {
		src.push(msg(0, o, ""))
	}
	stopA := runPoller(a)
	<-started
	eventually(t, func() bool { return doneA.Load() == 99 }, "A finished all but offset 10")
	require.NoError(t, stopA())
	c, _ := src.committedAt(0)
	require.Equal(t, kafka.Offset(10), c, "committed offset held at the unfinished message")

	// Kafka redelivers from the committed offset to the next owner (A's
	// shutdown rewound the fake's position there).
	src.mu.Lock()
	assert.Equal(t, []kafka.TopicPartition{msg(0, 10, "").TopicPartition}, src.seeks, "A rewound to its first unfinished message")
	src.mu.Unlock()
	src.push(msg(0, 100, "")) // and a new message
	var mu sync.Mutex
	var handledB []kafka.Offset
	b := poller.New(src, func(ctx context.Context, m *kafka.Message) error {
		mu.Lock()
		handledB = append(handledB, m.TopicPartition.Offset)
		mu.Unlock()
		return nil
	}, poller.Config{Ordering: poller.Unordered})
	b.Assigned([]kafka.TopicPartition{msg(0, 0, "").TopicPartition}) // as the rebalance callback would
	stopB := runPoller(b)
	eventually(t, func() bool { o, _ := src.storedAt(0); return o == 101 }, "B reaches the end")
	assert.Equal(t, 89, b.Stats().AlreadyDone)
	require.NoError(t, stopB())
	mu.Lock()
	defer mu.Unlock()
	assert.ElementsMatch(t, []kafka.Offset{10, 100}, handledB, "only unfinished and new work runs again")
}

// A message that never finishes stalls its partition once the window reaches
// MaxWindow; memory stays bounded and the partition resumes when it finishes.
func TestWindowBoundsAStuckMessage(t *testing.T) {
	src := newFake()
	release := make(chan struct{})
	var done atomic.Int32
	pl := poller.New(src, func(ctx context.Context, m *kafka.Message) error {
		if m.TopicPartition.Offset == 0 {
			<-release
		}
		done.Add(1)
		return nil
	}, poller.Config{Ordering: poller.Unordered, MaxInFlight: 64})
	const n = poller.MaxWindow + 2000
	for o := int64(0); o < n; o++ {
		src.push(msg(0, o, ""))
	}
	stop := runPoller(pl)
	eventually(t, func() bool { return pl.Stats().Paused == 1 }, "partition paused at the window bound")
	stalled := done.Load()
	assert.Less(t, int(stalled), poller.MaxWindow, "no more than the window is processed past the stuck message")
	close(release)
	eventually(t, func() bool { return done.Load() == n }, "resumes when the stuck message finishes")
	eventually(t, func() bool { o, _ := src.storedAt(0); return o == n }, "stored to the end")
	require.NoError(t, stop())
	assert.Zero(t, pl.Stats().Paused)
}
