package interceptor_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/interceptor"
	"github.com/kafkatrace/kafkatrace/semconv"
)

// 20,000 messages over 500 keys in batches of at most 100: every message
// handled once, per-key order kept within and across batches, no key held by
// two running batches, committed offsets at the end, and each batch's span
// linked to the send span of every message in it.
func TestRunBatchAcceptance(t *testing.T) {
	const n, keys, partitions = 20000, 500, 3
	topic, group := dlName("src"), dlName("group")
	mc := mockCluster(t, topic, partitions)
	bootstrap := mc.BootstrapServers()
	tp, sr := recorder(sdktrace.WithRawSpanLimits(sdktrace.SpanLimits{
		AttributeCountLimit: 128, EventCountLimit: 128, LinkCountLimit: 128,
		AttributePerEventCountLimit: 128, AttributePerLinkCountLimit: 128,
		AttributeValueLengthLimit: -1,
	}))
	produceN(t, bootstrap, topic, tp, n, func(i int) string { return "k" + strconv.Itoa(i%keys) })

	var mu sync.Mutex
	handled := map[int]int{}
	last := map[string]int{} // key -> last value handled
	held := map[string]bool{}
	var problems []string
	ctxSpans := map[trace.SpanID]int{} // batch span in the handler's ctx -> batch size
	var batches, maxSize atomic.Int32
	c := newConsumer(t, bootstrap, group, tp, nil,
		interceptor.WithBatch(100, 20*time.Millisecond), interceptor.WithMaxInFlight(8))
	require.NoError(t, c.Subscribe(topic, nil))
	stop := runBatch(c, func(ctx context.Context, msgs []*kafka.Message) error {
		batches.Add(1)
		for s := int32(len(msgs)); ; {
			cur := maxSize.Load()
			if s <= cur || maxSize.CompareAndSwap(cur, s) {
				break
			}
		}
		mine := map[string]bool{}
		mu.Lock()
		ctxSpans[trace.SpanContextFromContext(ctx).SpanID()] = len(msgs)
		for _, m := range msgs {
			k := string(m.Key)
			if !mine[k] {
				if held[k] {
					problems = append(problems, "key "+k+" held by two running batches")
				}
				held[k], mine[k] = true, true
			}
			v, _ := strconv.Atoi(string(m.Value))
			if prev, ok := last[k]; ok && v <= prev {
				problems = append(problems, fmt.Sprintf("key %s: %d after %d", k, v, prev))
			}
			last[k] = v
			handled[v]++
		}
		mu.Unlock()
		time.Sleep(time.Duration(len(msgs)%3) * time.Millisecond) // the batch's work
		mu.Lock()
		for k := range mine {
			held[k] = false
		}
		mu.Unlock()
		return nil
	})
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(handled) == n }, 2*time.Minute, 10*time.Millisecond, "every message handled")
	ends := watermarks(t, bootstrap, topic, partitions)
	for p := int32(0); p < partitions; p++ {
		require.Eventually(t, func() bool { return committed(t, bootstrap, group, topic, p) == ends[p] }, 30*time.Second, 20*time.Millisecond,
			"partition %d committed to the end", p)
	}
	require.NoError(t, stop())
	require.NoError(t, c.Close())

	mu.Lock()
	defer mu.Unlock()
	assert.Empty(t, problems)
	for v, times := range handled {
		require.Equal(t, 1, times, "message %d handled once", v)
	}
	assert.LessOrEqual(t, maxSize.Load(), int32(100))
	t.Logf("%d batches, largest %d", batches.Load(), maxSize.Load())

	sends := map[trace.SpanID]bool{}
	linked := map[trace.SpanID]int{}
	batchSpans := 0
	for _, s := range sr.Ended() {
		switch s.Name() {
		case "send " + topic:
			sends[s.SpanContext().SpanID()] = true
		case "process " + topic:
			batchSpans++
			a := attrs(s)
			count := int(a[semconv.BatchMessageCountKey].AsInt64())
			assert.Equal(t, ctxSpans[s.SpanContext().SpanID()], count, "the handler's ctx carries its batch's span")
			assert.Equal(t, trace.SpanKindConsumer, s.SpanKind())
			assert.Len(t, s.Links(), count, "a link per message")
			assert.Zero(t, s.DroppedLinks())
			for _, l := range s.Links() {
				linked[l.SpanContext.SpanID()]++
			}
		}
	}
	assert.Equal(t, len(ctxSpans), batchSpans, "one span per batch")
	require.Len(t, sends, n)
	for id := range sends {
		require.Equal(t, 1, linked[id], "send span %s linked once", id)
	}
	assert.Len(t, linked, n, "links only to send spans")
	assert.Zero(t, openSpans(sr))
}

// A consumer killed (SIGKILL) while one batch hangs: its next owner redoes
// only that batch and what came after it on its partition; every other
// batch was committed on the cadence (enable.auto.commit=false).
func TestRunBatchKillRedoesOnlyUnfinished(t *testing.T) {
	const n, partitions, stuckAt = 3000, 3, 1500
	topic, group := dlName("src"), dlName("group")
	mc := mockCluster(t, topic, partitions)
	bootstrap := mc.BootstrapServers()
	tp, _ := recorder()
	produceN(t, bootstrap, topic, tp, n, func(i int) string { return strconv.Itoa(i % 30) })
	ends := watermarks(t, bootstrap, topic, partitions)

	lines, kill := child(t, "KAFKATRACE_CHILD=batch", "KAFKATRACE_BOOTSTRAP="+bootstrap,
		"KAFKATRACE_GROUP="+group, "KAFKATRACE_TOPIC="+topic, "KAFKATRACE_STUCK_AT="+strconv.Itoa(stuckAt))
	var stuckP int32
	var stuckFrom kafka.Offset
	for {
		l := nextLine(t, lines, time.Minute)
		if strings.HasPrefix(l, "stuck") {
			_, err := fmt.Sscanf(l, "stuck %d %d", &stuckP, &stuckFrom)
			require.NoError(t, err)
			break
		}
	}
	require.Eventually(t, func() bool {
		for p := int32(0); p < partitions; p++ {
			want := ends[p]
			if p == stuckP {
				want = stuckFrom
			}
			if committed(t, bootstrap, group, topic, p) != want {
				return false
			}
		}
		return true
	}, 30*time.Second, 20*time.Millisecond, "every finished batch committed, nothing from the hung one on")
	kill()

	var mu sync.Mutex
	redone := map[pos]int{}
	c := newConsumer(t, bootstrap, group, tp, nil, interceptor.WithOrdering(interceptor.ByPartition))
	require.NoError(t, c.Subscribe(topic, nil))
	stop := runBatch(c, func(_ context.Context, msgs []*kafka.Message) error {
		mu.Lock()
		defer mu.Unlock()
		for _, m := range msgs {
			redone[posOf(m)]++
		}
		return nil
	})
	require.Eventually(t, func() bool { return committed(t, bootstrap, group, topic, stuckP) == ends[stuckP] }, time.Minute, 20*time.Millisecond)
	require.NoError(t, stop())
	require.NoError(t, c.Close())
	mu.Lock()
	defer mu.Unlock()
	want := map[pos]int{}
	for o := stuckFrom; o < ends[stuckP]; o++ {
		want[pos{stuckP, o}] = 1
	}
	assert.Equal(t, want, redone, "only the hung batch and what followed it on partition %d (from %d)", stuckP, stuckFrom)
}

// Stopped while some batches hang (they are abandoned at the shutdown
// timeout), a ByKey RunBatch commits its finished batches with the
// finished-offsets record: the next owner redoes only unfinished messages,
// and loses none.
func TestRunBatchStopAndRestartLosesNothing(t *testing.T) {
	const n, partitions = 3000, 3
	topic, group := dlName("src"), dlName("group")
	mc := mockCluster(t, topic, partitions)
	bootstrap := mc.BootstrapServers()
	tp, _ := recorder()
	produceN(t, bootstrap, topic, tp, n, func(i int) string { return "k" + strconv.Itoa(i%100) })

	var mu sync.Mutex
	finishedA := map[pos]bool{}
	seenB := map[pos]int{}
	var batchesA atomic.Int32
	half := make(chan struct{})
	a := newConsumer(t, bootstrap, group, tp, nil, interceptor.WithBatch(20, 5*time.Millisecond),
		interceptor.WithMaxInFlight(8), interceptor.WithShutdownTimeout(100*time.Millisecond))
	require.NoError(t, a.Subscribe(topic, nil))
	stopA := runBatch(a, func(ctx context.Context, msgs []*kafka.Message) error {
		b := batchesA.Add(1)
		if b == 40 {
			close(half)
		}
		if b >= 30 && b < 33 {
			<-ctx.Done() // abandoned at shutdown
			return ctx.Err()
		}
		mu.Lock()
		defer mu.Unlock()
		for _, m := range msgs {
			finishedA[posOf(m)] = true
		}
		return nil
	})
	<-half
	require.NoError(t, stopA())
	require.NoError(t, a.Close())

	b := newConsumer(t, bootstrap, group, tp, nil, interceptor.WithBatch(20, 5*time.Millisecond))
	require.NoError(t, b.Subscribe(topic, nil))
	stopB := runBatch(b, func(_ context.Context, msgs []*kafka.Message) error {
		mu.Lock()
		defer mu.Unlock()
		for _, m := range msgs {
			seenB[posOf(m)]++
		}
		return nil
	})
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		all := len(finishedA)
		for k := range seenB {
			if !finishedA[k] {
				all++
			}
		}
		return all == n
	}, time.Minute, 10*time.Millisecond, "no message lost")
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
	assert.Zero(t, dups, "B repeats no message A finished")
	t.Logf("A finished %d, B handled %d", len(finishedA), len(seenB))
}

// In a batch, the messages a *BatchError names are retried alone, then
// dead-lettered; their send spans are children of the batch's span.
func TestRunBatchDeadLetter(t *testing.T) {
	const n, partitions = 1000, 3
	topic, dlq, group := dlName("src"), dlName("dlq"), dlName("group")
	mc := mockCluster(t, topic, partitions)
	require.NoError(t, mc.CreateTopic(dlq, 1, 1))
	bootstrap := mc.BootstrapServers()
	tp, sr := recorder()
	produceN(t, bootstrap, topic, tp, n, func(i int) string { return "k" + strconv.Itoa(i%40) })

	var mu sync.Mutex
	handled := map[int]int{}
	c := newConsumer(t, bootstrap, group, tp, nil,
		interceptor.WithBatch(50, 5*time.Millisecond),
		interceptor.WithRetry(2, func(int) time.Duration { return time.Millisecond }),
		interceptor.WithDeadLetter(interceptor.DeadLetterTopic(dlq), newProducer(t, bootstrap, tp, nil)))
	require.NoError(t, c.Subscribe(topic, nil))
	stop := runBatch(c, func(ctx context.Context, msgs []*kafka.Message) error {
		mu.Lock()
		defer mu.Unlock()
		be := &interceptor.BatchError{}
		for i, m := range msgs {
			v, _ := strconv.Atoi(string(m.Value))
			if v%100 == 7 {
				be.Fail(i, &poisonError{string(m.Value)})
				continue
			}
			handled[v]++
		}
		if len(be.Failed) > 0 {
			return be
		}
		return nil
	})
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(handled) == n-n/100 }, time.Minute, 10*time.Millisecond)
	ends := watermarks(t, bootstrap, topic, partitions)
	for p := int32(0); p < partitions; p++ {
		require.Eventually(t, func() bool { return committed(t, bootstrap, group, topic, p) == ends[p] }, 30*time.Second, 20*time.Millisecond)
	}
	require.NoError(t, stop())
	require.NoError(t, c.Close())
	mu.Lock()
	defer mu.Unlock()
	for v, times := range handled {
		require.Equal(t, 1, times, "message %d handled once: only failed messages are retried", v)
	}
	dead := readAll(t, bootstrap, dlq, 1, n/100)
	spans := map[trace.SpanID]sdktrace.ReadOnlySpan{}
	for _, s := range sr.Ended() {
		spans[s.SpanContext().SpanID()] = s
	}
	for _, d := range dead {
		v, _ := strconv.Atoi(string(d.Value))
		assert.Equal(t, 7, v%100)
		dlTP, _ := header(d, "traceparent")
		sid, err := trace.SpanIDFromHex(dlTP[36:52])
		require.NoError(t, err)
		send := spans[sid]
		require.NotNil(t, send)
		batch := spans[send.Parent().SpanID()]
		require.NotNil(t, batch, "the send span's parent was recorded")
		assert.Equal(t, "process "+topic, batch.Name())
		assert.Positive(t, attrs(batch)[semconv.BatchMessageCountKey].AsInt64(), "its parent is a batch span")
	}
}
