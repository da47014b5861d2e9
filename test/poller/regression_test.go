package poller_test

// Regression tests for the defects an adversarial review of Run found
// (issue 17). Each reproduces the review's program on the fake source.

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kafkatrace/kafkatrace/poller"
	"github.com/kafkatrace/kafkatrace/test/internal/seen"
)

// Run stopped by a Stop-policy failure, then Run again on the same source:
// nothing between the failed message and what the first Run had polled may
// be skipped (the review saw offsets 3..19 never handled, 30 committed).
func TestRunAgainAfterStopFailureLosesNothing(t *testing.T) {
	src := newFake()
	const n = 30
	for o := int64(0); o < n; o++ {
		src.push(msg(0, o, ""))
	}
	handled := seen.New()
	first := poller.New(src, func(ctx context.Context, m *kafka.Message) error {
		if m.TopicPartition.Offset == 3 {
			return errBoom
		}
		handled.Add(m.TopicPartition.Offset)
		return nil
	}, poller.Config{Ordering: poller.ByPartition, Attempts: 1})
	var herr *poller.HandlerError
	require.ErrorAs(t, first.Run(context.Background()), &herr)
	require.Equal(t, kafka.Offset(3), herr.TopicPartition.Offset)

	second := poller.New(src, func(ctx context.Context, m *kafka.Message) error {
		handled.Add(m.TopicPartition.Offset)
		return nil
	}, poller.Config{Ordering: poller.ByPartition})
	stop := runPoller(second)
	eventually(t, func() bool { o, _ := src.storedAt(0); return o == n }, "second Run stores to the end")
	require.NoError(t, stop())
	assert.Empty(t, handled.MissingBelow(n), "offsets committed but never handled")
}

// Run cancelled while messages were polled but not started, then Run again:
// the unstarted messages are handled by the second Run (the review saw 110
// committed with 88 offsets below it never handled).
func TestRunAgainAfterCancelLosesNothing(t *testing.T) {
	src := newFake()
	const n = 200
	for o := int64(0); o < n; o++ {
		src.push(msg(0, o, ""))
	}
	handled := seen.New()
	blocked := make(chan struct{})
	first := poller.New(src, func(ctx context.Context, m *kafka.Message) error {
		if m.TopicPartition.Offset == 10 {
			close(blocked)
			<-ctx.Done() // still running at shutdown: abandoned
			return ctx.Err()
		}
		handled.Add(m.TopicPartition.Offset)
		return nil
	}, poller.Config{Ordering: poller.ByPartition, MaxBuffered: 50, ShutdownTimeout: time.Millisecond})
	stopFirst := runPoller(first)
	<-blocked
	eventually(t, func() bool { return first.Stats().Buffered > 0 }, "messages polled but not started")
	require.NoError(t, stopFirst())

	second := poller.New(src, func(ctx context.Context, m *kafka.Message) error {
		handled.Add(m.TopicPartition.Offset)
		return nil
	}, poller.Config{Ordering: poller.ByPartition})
	stop := runPoller(second)
	eventually(t, func() bool { o, _ := src.storedAt(0); return o == n }, "second Run stores to the end")
	require.NoError(t, stop())
	assert.Empty(t, handled.MissingBelow(n), "offsets committed but never handled")
}

// The second Run reads what the first committed in its finished-offsets
// record: finished work above the rewound position is not done again.
func TestRunAgainSkipsFinishedWork(t *testing.T) {
	src := newFake()
	const n = 40
	for o := int64(0); o < n; o++ {
		src.push(msg(0, o, ""))
	}
	handled := seen.New()
	blocked := make(chan struct{})
	first := poller.New(src, func(ctx context.Context, m *kafka.Message) error {
		if m.TopicPartition.Offset == 5 {
			close(blocked)
			<-ctx.Done()
			return ctx.Err()
		}
		handled.Add(m.TopicPartition.Offset)
		return nil
	}, poller.Config{Ordering: poller.Unordered, ShutdownTimeout: time.Millisecond})
	stopFirst := runPoller(first)
	<-blocked
	eventually(t, func() bool { return len(handled.MissingBelow(n)) == 1 }, "all but offset 5 finished")
	require.NoError(t, stopFirst())

	second := poller.New(src, func(ctx context.Context, m *kafka.Message) error {
		handled.Add(m.TopicPartition.Offset)
		return nil
	}, poller.Config{Ordering: poller.Unordered})
	stop := runPoller(second)
	eventually(t, func() bool { o, _ := src.storedAt(0); return o == n }, "second Run stores to the end")
	require.NoError(t, stop())
	assert.Empty(t, handled.MissingBelow(n))
	assert.Equal(t, 1, handled.Times(6), "finished work above the rewind point is not redone")
	assert.Equal(t, n-6, second.Stats().AlreadyDone)
}

// A backward seek while a slow message holds the watermark and later ones
// have finished used to panic (makeslice: len out of range) on the polling
// goroutine. Now the partition restarts from the seek position, the slow
// message still holds the committed offset, and everything completes.
func TestBackwardSeekWithGapInFlight(t *testing.T) {
	src := newFake()
	const n = 40
	for o := int64(0); o < n; o++ {
		src.push(msg(0, o, ""))
	}
	handled := seen.New()
	release := make(chan struct{})
	var slowRuns atomic.Int32
	pl := poller.New(src, func(ctx context.Context, m *kafka.Message) error {
		if m.TopicPartition.Offset == 20 && slowRuns.Add(1) == 1 {
			<-release
		}
		handled.Add(m.TopicPartition.Offset)
		return nil
	}, poller.Config{Ordering: poller.Unordered, MaxInFlight: 64})
	stop := runPoller(pl)
	eventually(t, func() bool { return len(handled.MissingBelow(n)) == 1 }, "all but offset 20 finished")
	eventually(t, func() bool { o, _ := src.storedAt(0); return o == 20 }, "stored offset held at 20")

	// Seek back 18 offsets, past the watermark; only 2..4 arrive at first,
	// so a store runs while the newest polled offset is 16 below the
	// watermark (the state that crashed).
	before := src.storeCalls(0)
	src.seekUpTo(0, 2, 5)
	eventually(t, func() bool { return handled.Times(4) == 2 }, "2..4 redelivered")
	eventually(t, func() bool { return src.storeCalls(0) > before }, "a store after the seek")
	for o := int64(5); o < n; o++ { // the rest of the redelivery
		src.push(msg(0, o, ""))
	}
	// Unordered: the last offset may finish before earlier ones.
	eventually(t, func() bool {
		for off := kafka.Offset(2); off < n; off++ {
			if off != 20 && handled.Times(off) < 2 {
				return false
			}
		}
		return true
	}, "redelivered from the seek position to the end")
	o, _ := src.storedAt(0)
	assert.LessOrEqual(t, o, kafka.Offset(20), "the slow message still holds the stored offset")
	for off := kafka.Offset(2); off < n; off++ {
		if off != 20 {
			assert.Equal(t, 2, handled.Times(off), "offset %d handled again after the seek", off)
		}
	}
	assert.Equal(t, 1, handled.Times(0), "offsets below the seek position are not redelivered")
	close(release)
	eventually(t, func() bool { o, _ := src.storedAt(0); return o == n }, "stored to the end once the slow message finished")
	require.NoError(t, stop())
}

// A partition paused by back-pressure resumes within a bounded time even
// while another partition keeps the buffer full (the review saw partition 0
// paused for 18 s while partition 1 went from 14 to 881 handled).
func TestBackpressureIsFair(t *testing.T) {
	src := newFake()
	gate := make(chan struct{})
	var p0 atomic.Int32
	pl := poller.New(src, func(ctx context.Context, m *kafka.Message) error {
		if m.TopicPartition.Partition == 0 {
			<-gate
			p0.Add(1)
			return nil
		}
		time.Sleep(time.Millisecond) // partition 1's work: slower than its messages arrive
		return nil
	}, poller.Config{Ordering: poller.ByPartition, MaxInFlight: 2, MaxBuffered: 10})
	const n = 100
	for o := int64(0); o < n; o++ {
		src.push(msg(0, o, ""))
	}
	stop := runPoller(pl)
	eventually(t, func() bool { return pl.Stats().Paused == 1 }, "partition 0 paused by back-pressure")
	src.endlessly(1, 0) // a busy partition that would keep the buffer full forever
	close(gate)
	start := time.Now()
	eventually(t, func() bool { return p0.Load() == n }, "partition 0 resumed and finished (handled %d)", p0.Load())
	t.Logf("partition 0 finished its %d messages %v after release, partition 1 busy throughout", n, time.Since(start))
	src.stopEndless(1)
	require.NoError(t, stop())
}

// No attempt starts with a cancelled ctx: a shutdown during the wait between
// retries ends the message as abandoned instead of calling the handler again.
func TestNoRetryAfterCancel(t *testing.T) {
	src := newFake()
	hook := newRecHook()
	var attempts, cancelledAtStart atomic.Int32
	first := make(chan struct{})
	pl := poller.New(src, func(ctx context.Context, m *kafka.Message) error {
		if ctx.Err() != nil {
			cancelledAtStart.Add(1)
		}
		if attempts.Add(1) == 1 {
			close(first)
		}
		return errBoom
	}, poller.Config{Attempts: 3, Backoff: func(int) time.Duration { return time.Hour },
		ShutdownTimeout: time.Millisecond, Hook: hook})
	src.push(msg(0, 0, ""))
	stop := runPoller(pl)
	<-first
	require.NoError(t, stop())
	assert.Zero(t, cancelledAtStart.Load(), "an attempt started with a cancelled ctx")
	assert.Equal(t, int32(1), attempts.Load())
	r, ok := hook.result(0)
	require.True(t, ok)
	assert.True(t, r.Abandoned)
	assert.Equal(t, 1, r.Attempts)
	c, _ := src.committedAt(0)
	assert.LessOrEqual(t, c, kafka.Offset(0), "the abandoned message is not committed")
}
