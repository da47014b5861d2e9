package poller_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kafkatrace/kafkatrace/poller"
	"github.com/kafkatrace/kafkatrace/test/internal/seen"
)

// batchLog checks what batch handlers see: one partition per batch, offsets
// ascending within it, no key held by two running batches of a partition,
// per-key order across batches, and every message handled once.
type batchLog struct {
	mu       sync.Mutex
	held     map[string]int // "p/key" -> running batches holding it
	lastOff  map[string]int64
	handled  map[string]int
	sizes    []int
	problems []string
	running  map[int32]int
	maxPart  int // most batches of one partition at once
}

func newBatchLog() *batchLog {
	return &batchLog{held: map[string]int{}, lastOff: map[string]int64{}, handled: map[string]int{}, running: map[int32]int{}}
}

func (l *batchLog) begin(msgs []*kafka.Message) (keys []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sizes = append(l.sizes, len(msgs))
	p := msgs[0].TopicPartition.Partition
	l.running[p]++
	l.maxPart = max(l.maxPart, l.running[p])
	seen := map[string]bool{}
	for i, m := range msgs {
		if m.TopicPartition.Partition != p {
			l.problems = append(l.problems, "two partitions in one batch")
		}
		if i > 0 && m.TopicPartition.Offset <= msgs[i-1].TopicPartition.Offset {
			l.problems = append(l.problems, "offsets not ascending in a batch")
		}
		k := fmt.Sprintf("%d/%s", p, m.Key)
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
			if l.held[k] > 0 {
				l.problems = append(l.problems, "key "+k+" held by two running batches")
			}
			l.held[k]++
		}
		off := int64(m.TopicPartition.Offset)
		if last, ok := l.lastOff[k]; ok && off <= last {
			l.problems = append(l.problems, fmt.Sprintf("key %s: offset %d after %d", k, off, last))
		}
		l.lastOff[k] = off
		l.handled[fmt.Sprintf("%d/%d", p, off)]++
	}
	return keys
}

func (l *batchLog) end(p int32, keys []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.running[p]--
	for _, k := range keys {
		l.held[k]--
	}
}

func (l *batchLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.handled)
}

// Batches keep ByKey order within and across batches, never let two batches
// hold a key of a partition at once, run batches of different partitions
// (and of disjoint keys) concurrently, handle every message once, and store
// offsets to the end.
func TestBatchByKey(t *testing.T) {
	src := newFake()
	log := newBatchLog()
	const parts, perPart, keys = 3, 1000, 50
	var concurrent atomic.Int32
	var maxConcurrent atomic.Int32
	pl := poller.NewBatch(src, func(ctx context.Context, msgs []*kafka.Message) error {
		n := concurrent.Add(1)
		defer concurrent.Add(-1)
		for {
			m := maxConcurrent.Load()
			if n <= m || maxConcurrent.CompareAndSwap(m, n) {
				break
			}
		}
		held := log.begin(msgs)
		time.Sleep(time.Duration(len(msgs)%3) * time.Millisecond) // the handler's work
		log.end(msgs[0].TopicPartition.Partition, held)
		return nil
	}, poller.Config{Ordering: poller.ByKey, MaxInFlight: 8, BatchSize: 20, BatchWait: 5 * time.Millisecond})
	for o := int64(0); o < perPart; o++ {
		for p := int32(0); p < parts; p++ {
			src.push(msg(p, o, fmt.Sprint("k", (o*7+int64(p))%keys)))
		}
	}
	stop := runPoller(pl)
	eventually(t, func() bool { return log.count() == parts*perPart }, "every message handled")
	for p := int32(0); p < parts; p++ {
		eventually(t, func() bool { o, _ := src.storedAt(p); return o == perPart }, "partition %d stored to the end", p)
	}
	require.NoError(t, stop())
	log.mu.Lock()
	defer log.mu.Unlock()
	assert.Empty(t, log.problems)
	for k, n := range log.handled {
		require.Equal(t, 1, n, "message %s handled %d times", k, n)
	}
	assert.Greater(t, maxConcurrent.Load(), int32(1), "batches ran concurrently")
	assert.LessOrEqual(t, maxConcurrent.Load(), int32(8), "within MaxInFlight")
	full := 0
	for _, s := range log.sizes {
		require.LessOrEqual(t, s, 20)
		if s == 20 {
			full++
		}
	}
	assert.Greater(t, full, len(log.sizes)/2, "most batches are full: %v", log.sizes)
}

// ByPartition runs one batch per partition at a time; Unordered fills
// batches regardless of keys.
func TestBatchByPartitionAndUnordered(t *testing.T) {
	for _, ord := range []poller.Ordering{poller.ByPartition, poller.Unordered} {
		t.Run(ord.String(), func(t *testing.T) {
			src := newFake()
			log := newBatchLog()
			pl := poller.NewBatch(src, func(ctx context.Context, msgs []*kafka.Message) error {
				log.mu.Lock()
				p := msgs[0].TopicPartition.Partition
				log.running[p]++
				log.maxPart = max(log.maxPart, log.running[p])
				for _, m := range msgs {
					log.handled[fmt.Sprintf("%d/%d", p, m.TopicPartition.Offset)]++
				}
				log.mu.Unlock()
				time.Sleep(time.Millisecond)
				log.mu.Lock()
				log.running[p]--
				log.mu.Unlock()
				return nil
			}, poller.Config{Ordering: ord, MaxInFlight: 4, BatchSize: 10, BatchWait: time.Millisecond})
			for o := int64(0); o < 500; o++ {
				src.push(msg(0, o, "same-key"))
			}
			stop := runPoller(pl)
			eventually(t, func() bool { o, _ := src.storedAt(0); return o == 500 }, "stored to the end")
			require.NoError(t, stop())
			assert.Equal(t, 500, log.count())
			if ord == poller.ByPartition {
				assert.Equal(t, 1, log.maxPart, "one batch per partition at a time")
			} else {
				assert.Greater(t, log.maxPart, 1, "Unordered: one key's batches run concurrently")
			}
		})
	}
}

// A partial batch starts once its oldest message has waited BatchWait.
func TestBatchWaitStartsPartialBatch(t *testing.T) {
	src := newFake()
	got := make(chan int, 4)
	pl := poller.NewBatch(src, func(ctx context.Context, msgs []*kafka.Message) error {
		got <- len(msgs)
		return nil
	}, poller.Config{BatchSize: 100, BatchWait: 20 * time.Millisecond})
	start := time.Now()
	src.push(msg(0, 0, "a"), msg(0, 1, "b"), msg(0, 2, "c"))
	stop := runPoller(pl)
	select {
	case n := <-got:
		assert.Equal(t, 3, n)
		assert.GreaterOrEqual(t, time.Since(start), 20*time.Millisecond, "not before BatchWait")
	case <-time.After(10 * time.Second):
		assert.Fail(t, "a partial batch never started")
	}
	require.NoError(t, stop())
}

// A *BatchError retries only the messages it names; the others finish.
func TestBatchErrorRetriesOnlyFailed(t *testing.T) {
	src := newFake()
	var mu sync.Mutex
	var calls [][]int64
	pl := poller.NewBatch(src, func(ctx context.Context, msgs []*kafka.Message) error {
		mu.Lock()
		var offs []int64
		for _, m := range msgs {
			offs = append(offs, int64(m.TopicPartition.Offset))
		}
		calls = append(calls, offs)
		n := len(calls)
		mu.Unlock()
		if n == 1 {
			return (&poller.BatchError{}).Fail(1, errBoom).Fail(3, errBoom)
		}
		return nil
	}, poller.Config{BatchSize: 5, Backoff: func(int) time.Duration { return 0 }})
	for o := int64(0); o < 5; o++ {
		src.push(msg(0, o, fmt.Sprint(o)))
	}
	stop := runPoller(pl)
	eventually(t, func() bool { o, _ := src.storedAt(0); return o == 5 }, "stored to the end")
	require.NoError(t, stop())
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, [][]int64{{0, 1, 2, 3, 4}, {1, 3}}, calls)
}

// Under StopOnFailure a batch message that fails every attempt stops Run;
// the messages before it are stored, nothing past it.
func TestBatchStopHoldsWatermark(t *testing.T) {
	src := newFake()
	pl := poller.NewBatch(src, func(ctx context.Context, msgs []*kafka.Message) error {
		for i, m := range msgs {
			if m.TopicPartition.Offset == 7 {
				return (&poller.BatchError{}).Fail(i, errBoom)
			}
		}
		return nil
	}, poller.Config{Ordering: poller.ByPartition, BatchSize: 4, Attempts: 2, Backoff: func(int) time.Duration { return 0 }})
	for o := int64(0); o < 20; o++ {
		src.push(msg(0, o, ""))
	}
	err := pl.Run(context.Background())
	var herr *poller.HandlerError
	require.ErrorAs(t, err, &herr)
	assert.ErrorIs(t, err, errBoom)
	assert.Equal(t, kafka.Offset(7), herr.TopicPartition.Offset)
	o, _ := src.committedAt(0)
	assert.Equal(t, kafka.Offset(7), o, "nothing committed past the failed message")
}

// A whole-batch error retries the batch, then dead-letters each message.
func TestBatchDeadLetter(t *testing.T) {
	src := newFake()
	var mu sync.Mutex
	var dead []int64
	var attempts atomic.Int32
	pl := poller.NewBatch(src, func(ctx context.Context, msgs []*kafka.Message) error {
		if msgs[0].TopicPartition.Offset == 0 {
			attempts.Add(1)
			return errBoom
		}
		return nil
	}, poller.Config{BatchSize: 3, Attempts: 2, Backoff: func(int) time.Duration { return 0 },
		OnFailure: poller.DeadLetterOnFailure,
		DeadLetter: func(ctx context.Context, m *kafka.Message, r poller.Result) error {
			mu.Lock()
			defer mu.Unlock()
			if !errors.Is(r.Err, errBoom) || r.Attempts != 2 {
				return fmt.Errorf("unexpected result %+v", r)
			}
			dead = append(dead, int64(m.TopicPartition.Offset))
			return nil
		}})
	for o := int64(0); o < 6; o++ {
		src.push(msg(0, o, "k"))
	}
	stop := runPoller(pl)
	eventually(t, func() bool { o, _ := src.storedAt(0); return o == 6 }, "stored past the dead-lettered batch")
	require.NoError(t, stop())
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []int64{0, 1, 2}, dead)
	assert.Equal(t, int32(2), attempts.Load())
}

// A revoke drops a partition's pending messages and waits for its running
// batch; the next owner gets everything unfinished.
func TestBatchRevokeWaitsAndCommits(t *testing.T) {
	src := newFake()
	release := make(chan struct{})
	started := make(chan struct{}, 16)
	pl := poller.NewBatch(src, func(ctx context.Context, msgs []*kafka.Message) error {
		started <- struct{}{}
		if msgs[0].TopicPartition.Offset == 0 {
			<-release
		}
		return nil
	}, poller.Config{Ordering: poller.ByPartition, BatchSize: 5, BatchWait: time.Millisecond})
	for o := int64(0); o < 12; o++ {
		src.push(msg(0, o, ""))
	}
	stop := runPoller(pl)
	<-started // the first batch (0..4) runs; the rest wait behind it
	revoked := make(chan struct{})
	go func() {
		defer close(revoked)
		pl.Revoked([]kafka.TopicPartition{msg(0, 0, "").TopicPartition}, false)
	}()
	select {
	case <-revoked:
		t.Fatal("the revoke did not wait for the running batch")
	case <-time.After(20 * time.Millisecond):
	}
	close(release)
	<-revoked
	o, _ := src.committedAt(0)
	assert.Equal(t, kafka.Offset(5), o, "the finished batch is committed, nothing past it")
	require.NoError(t, stop())
}

// A batch Run stopped with a batch abandoned and messages still pending
// rewinds to the first unfinished one: a second batch Run handles the rest,
// skips what the first finished (ByKey: other keys' batches ran on), and
// loses nothing.
func TestBatchRunAgainLosesNothing(t *testing.T) {
	src := newFake()
	const n = 300
	for o := int64(0); o < n; o++ {
		src.push(msg(0, o, fmt.Sprint("k", o%7)))
	}
	handled := seen.New()
	blocked := make(chan struct{})
	var once sync.Once
	first := poller.NewBatch(src, func(ctx context.Context, msgs []*kafka.Message) error {
		for _, m := range msgs {
			if m.TopicPartition.Offset == 40 {
				once.Do(func() { close(blocked) })
				<-ctx.Done() // still running at shutdown: abandoned
				return ctx.Err()
			}
		}
		for _, m := range msgs {
			handled.Add(m.TopicPartition.Offset)
		}
		return nil
	}, poller.Config{BatchSize: 8, BatchWait: time.Millisecond, MaxBuffered: 100, ShutdownTimeout: time.Millisecond})
	stopFirst := runPoller(first)
	<-blocked
	eventually(t, func() bool { return first.Stats().Buffered > 0 }, "messages polled but not started")
	require.NoError(t, stopFirst())

	second := poller.NewBatch(src, func(ctx context.Context, msgs []*kafka.Message) error {
		for _, m := range msgs {
			handled.Add(m.TopicPartition.Offset)
		}
		return nil
	}, poller.Config{BatchSize: 8, BatchWait: time.Millisecond})
	stop := runPoller(second)
	eventually(t, func() bool { o, _ := src.storedAt(0); return o == n }, "second Run stores to the end")
	require.NoError(t, stop())
	assert.Empty(t, handled.MissingBelow(n), "offsets committed but never handled")
	for o := kafka.Offset(0); o < n; o++ {
		require.Equal(t, 1, handled.Times(o), "offset %d handled once", o)
	}
}

// A seek back while batches run: the re-polled messages are handled again
// (as Run does), none is lost, and the stored offset never passes an
// unfinished message.
func TestBatchBackwardSeek(t *testing.T) {
	src := newFake()
	const n = 100
	for o := int64(0); o < n; o++ {
		src.push(msg(0, o, fmt.Sprint("k", o%50)))
	}
	handled := seen.New()
	release := make(chan struct{})
	var once sync.Once
	pl := poller.NewBatch(src, func(ctx context.Context, msgs []*kafka.Message) error {
		for _, m := range msgs {
			if m.TopicPartition.Offset == 20 {
				once.Do(func() { <-release }) // hold 20's batch while the seek happens
			}
		}
		for _, m := range msgs {
			handled.Add(m.TopicPartition.Offset)
		}
		return nil
	}, poller.Config{BatchSize: 10, BatchWait: time.Millisecond})
	stop := runPoller(pl)
	eventually(t, func() bool { return handled.Times(60) == 1 }, "later batches ran")
	src.seekUpTo(0, 10, n)
	close(release)
	eventually(t, func() bool { o, _ := src.storedAt(0); return o == n }, "stored to the end")
	require.NoError(t, stop())
	assert.Empty(t, handled.MissingBelow(n))
	assert.Equal(t, 2, handled.Times(15), "the seek's messages are handled again")
}
