package interceptor_test

// Regression tests for the defects adversarial reviews of Run and of the
// producer found (issue 17), each the review's reproduction on the mock
// cluster.

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/kafkatrace/kafkatrace/interceptor"
	"github.com/kafkatrace/kafkatrace/test/internal/seen"
)

var errBoom = errors.New("boom")

// Stop-policy failure at offset 3, then Run again on the same Consumer: the
// review saw 30 committed with offsets 3..19 never handled.
func TestRunAgainAfterStopFailureLosesNothing(t *testing.T) {
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	tp, _ := recorder()
	const n = 30
	produceN(t, mc.BootstrapServers(), topic, tp, n, nil)
	group := uniqueTopic(t)
	c := newConsumer(t, mc.BootstrapServers(), group, tp, nil,
		interceptor.WithOrdering(interceptor.ByPartition), interceptor.WithRetry(1, nil))
	defer c.Close()
	require.NoError(t, c.Subscribe(topic, nil))
	handled := seen.New()
	err := c.Run(context.Background(), func(ctx context.Context, m *kafka.Message) error {
		if m.TopicPartition.Offset == 3 {
			return errBoom
		}
		handled.Add(m.TopicPartition.Offset)
		return nil
	})
	var herr *interceptor.HandlerError
	require.ErrorAs(t, err, &herr)
	require.Equal(t, kafka.Offset(3), herr.TopicPartition.Offset)

	stop := runConsumer(c, func(ctx context.Context, m *kafka.Message) error {
		handled.Add(m.TopicPartition.Offset)
		return nil
	})
	require.Eventually(t, func() bool { return committed(t, mc.BootstrapServers(), group, topic, 0) == n },
		30*time.Second, 50*time.Millisecond, "the second Run commits to the end")
	require.NoError(t, stop())
	assert.Empty(t, handled.MissingBelow(n), "offsets committed but never handled")
}

// Run cancelled with messages polled but not started, then Run again: the
// review saw 110 committed with 88 offsets below it never handled.
func TestRunAgainAfterCancelLosesNothing(t *testing.T) {
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	tp, _ := recorder()
	const n = 200
	produceN(t, mc.BootstrapServers(), topic, tp, n, nil)
	group := uniqueTopic(t)
	c := newConsumer(t, mc.BootstrapServers(), group, tp, nil,
		interceptor.WithOrdering(interceptor.ByPartition), interceptor.WithShutdownTimeout(time.Millisecond))
	defer c.Close()
	require.NoError(t, c.Subscribe(topic, nil))
	handled := seen.New()
	blocked := make(chan struct{})
	stopFirst := runConsumer(c, func(ctx context.Context, m *kafka.Message) error {
		if m.TopicPartition.Offset == 10 {
			close(blocked)
			<-ctx.Done() // still running at shutdown: abandoned
			return ctx.Err()
		}
		handled.Add(m.TopicPartition.Offset)
		return nil
	})
	<-blocked
	require.Eventually(t, func() bool { return c.Stats().Buffered > 0 }, 10*time.Second, time.Millisecond,
		"messages polled but not started")
	require.NoError(t, stopFirst())

	stop := runConsumer(c, func(ctx context.Context, m *kafka.Message) error {
		handled.Add(m.TopicPartition.Offset)
		return nil
	})
	require.Eventually(t, func() bool { return committed(t, mc.BootstrapServers(), group, topic, 0) == n },
		30*time.Second, 50*time.Millisecond, "the second Run commits to the end")
	require.NoError(t, stop())
	assert.Empty(t, handled.MissingBelow(n), "offsets committed but never handled")
}

// The drop-in Poll after Run returned continues at the first message Run
// did not finish, not where librdkafka's prefetch had got to.
func TestPollAfterRunContinuesAtFirstUnfinished(t *testing.T) {
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	tp, _ := recorder()
	produceN(t, mc.BootstrapServers(), topic, tp, 100, nil)
	c := newConsumer(t, mc.BootstrapServers(), uniqueTopic(t), tp, nil,
		interceptor.WithOrdering(interceptor.ByPartition), interceptor.WithRetry(1, nil))
	defer c.Close()
	require.NoError(t, c.Subscribe(topic, nil))
	err := c.Run(context.Background(), func(ctx context.Context, m *kafka.Message) error {
		if m.TopicPartition.Offset == 7 {
			return errBoom
		}
		return nil
	})
	require.ErrorIs(t, err, errBoom)
	var first *kafka.Message
	require.Eventually(t, func() bool {
		if m, ok := c.Poll(100).(*kafka.Message); ok {
			first = m
		}
		return first != nil
	}, 10*time.Second, time.Millisecond)
	assert.Equal(t, kafka.Offset(7), first.TopicPartition.Offset, "Poll resumes at the failed message")
}

// A backward Seek while a slow message holds the watermark and later ones
// have finished used to panic the polling goroutine. Now the messages from
// the seek position are redelivered and the slow message still holds the
// committed offset until it finishes.
func TestBackwardSeekDuringRun(t *testing.T) {
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	tp, _ := recorder()
	const n = 40
	produceN(t, mc.BootstrapServers(), topic, tp, n, nil)
	group := uniqueTopic(t)
	c := newConsumer(t, mc.BootstrapServers(), group, tp, nil, interceptor.WithOrdering(interceptor.Unordered))
	defer c.Close()
	require.NoError(t, c.Subscribe(topic, nil))
	handled := seen.New()
	release := make(chan struct{})
	var slowRuns atomic.Int32
	stop := runConsumer(c, func(ctx context.Context, m *kafka.Message) error {
		if m.TopicPartition.Offset == 20 && slowRuns.Add(1) == 1 {
			<-release
		}
		handled.Add(m.TopicPartition.Offset)
		return nil
	})
	require.Eventually(t, func() bool { return len(handled.MissingBelow(n)) == 1 }, 30*time.Second, time.Millisecond,
		"all but offset 20 finished")
	require.NoError(t, c.Seek(kafka.TopicPartition{Topic: &topic, Partition: 0, Offset: 2}, 0))
	// Unordered: the last offset may finish before earlier ones.
	require.Eventually(t, func() bool { return handled.Times(n-1) == 2 && handled.Times(2) == 2 }, 30*time.Second, time.Millisecond,
		"redelivered from the seek position")
	assert.Equal(t, 1, handled.Times(0), "nothing below the seek position is redelivered")
	assert.Equal(t, 2, handled.Times(2))
	assert.LessOrEqual(t, committed(t, mc.BootstrapServers(), group, topic, 0), kafka.Offset(20),
		"the slow message still holds the committed offset")
	close(release)
	require.Eventually(t, func() bool { return committed(t, mc.BootstrapServers(), group, topic, 0) == n },
		30*time.Second, 50*time.Millisecond, "committed to the end once the slow message finished")
	require.NoError(t, stop())
}

// go.delivery.reports=false with a sampler that drops some messages: the
// unsampled messages' reports (no channel, forwarding off) used to end
// confluent-kafka-go's handling of their batch, so the sampled messages'
// reports behind them never came (982 of 982 sampled spans open).
func TestDeliveryReportsOffWithPartialSampling(t *testing.T) {
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	tp, sr := recorder(sdktrace.WithSampler(sdktrace.TraceIDRatioBased(0.5)))
	p := newProducer(t, mc.BootstrapServers(), tp, kafka.ConfigMap{"go.delivery.reports": false})
	const n = 2000
	for i := 0; i < n; i++ {
		require.NoError(t, p.Produce(&kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0}}, nil))
	}
	require.Zero(t, p.Flush(30000))
	started := len(sr.Started())
	t.Logf("%d of %d messages sampled", started, n)
	require.Greater(t, started, n/4, "the sampler kept some")
	require.Less(t, started, n*3/4, "the sampler dropped some")
	assert.Zero(t, openSpans(sr), "sampled send spans left open after Flush")
	select {
	case ev := <-p.Events():
		if _, isMsg := ev.(*kafka.Message); isMsg {
			t.Fatalf("report forwarded although go.delivery.reports=false: %v", ev)
		}
	default:
	}
}

// Len counts a report from the moment Produce takes the message until the
// report is on Events(): the review saw Len() == 0 with Events() still empty
// in 299 of 300 tries.
func TestLenNeverZeroBeforeReportReachesEvents(t *testing.T) {
	topic := uniqueTopic(t)
	mc := mockCluster(t, topic, 1)
	tp, _ := recorder()
	p := newProducer(t, mc.BootstrapServers(), tp, kafka.ConfigMap{"linger.ms": 0})
	const tries = 300
	zero := 0
	for i := 0; i < tries; i++ {
		require.NoError(t, p.Produce(&kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: 0}}, nil))
		sawZero := false
		for len(p.Events()) == 0 {
			if p.Len() == 0 && len(p.Events()) == 0 {
				sawZero = true
			}
		}
		if sawZero {
			zero++
		}
		m := (<-p.Events()).(*kafka.Message)
		require.NoError(t, m.TopicPartition.Error)
		// librdkafka counts a report until confluent-kafka-go destroys its
		// event, at its next poll: raw Len is not 0 at once either.
		require.Eventually(t, func() bool { return p.Len() == 0 }, 5*time.Second, time.Millisecond,
			"nothing outstanding once the report is read")
	}
	assert.Zero(t, zero, "tries in which Len() read 0 before the report reached Events()")
}
