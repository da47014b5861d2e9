package poller_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kafkatrace/kafkatrace/poller"
	"github.com/kafkatrace/kafkatrace/test/internal/handled"
)

// With CommitInterval, finished work is committed while Run runs, not only
// at shutdown; synchronously or not.
func TestCommitInterval(t *testing.T) {
	for _, sync := range []bool{false, true} {
		t.Run(map[bool]string{false: "async", true: "sync"}[sync], func(t *testing.T) {
			src := newFake()
			pl := poller.New(src, func(context.Context, *kafka.Message) error { return nil },
				poller.Config{CommitInterval: 10 * time.Millisecond, SyncCommit: sync})
			for o := int64(0); o < 100; o++ {
				src.push(msg(0, o, ""), msg(1, o, ""))
			}
			stop := runPoller(pl)
			for p := int32(0); p < 2; p++ {
				eventually(t, func() bool { o, _ := src.committedAt(p); return o == 100 }, "partition %d committed while running", p)
			}
			require.NoError(t, stop())
		})
	}
}

// Without CommitInterval nothing is committed until shutdown (auto-commit's
// job); the test above would fail without the periodic commit.
func TestNoCommitIntervalCommitsAtShutdownOnly(t *testing.T) {
	src := newFake()
	pl := poller.New(src, func(context.Context, *kafka.Message) error { return nil }, poller.Config{})
	for o := int64(0); o < 10; o++ {
		src.push(msg(0, o, ""))
	}
	stop := runPoller(pl)
	eventually(t, func() bool { o, _ := src.storedAt(0); return o == 10 }, "stored")
	_, committed := src.committedAt(0)
	assert.False(t, committed)
	require.NoError(t, stop())
	o, _ := src.committedAt(0)
	assert.Equal(t, kafka.Offset(10), o)
}

// A failed periodic commit is reported and sent again at the next interval.
func TestCommitIntervalRetriesAfterFailure(t *testing.T) {
	src := newFake()
	src.commitErr = errCommitRefused
	var mu sync.Mutex
	var reported []error
	pl := poller.New(src, func(context.Context, *kafka.Message) error { return nil },
		poller.Config{CommitInterval: 5 * time.Millisecond, OnError: func(err error) {
			mu.Lock()
			defer mu.Unlock()
			reported = append(reported, err)
		}})
	src.push(msg(0, 0, ""), msg(0, 1, ""))
	stop := runPoller(pl)
	eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(reported) > 0 }, "the failure reported")
	src.mu.Lock()
	src.commitErr = nil
	src.mu.Unlock()
	eventually(t, func() bool { o, _ := src.committedAt(0); return o == 2 }, "committed at a later interval")
	require.NoError(t, stop())
	mu.Lock()
	defer mu.Unlock()
	var ae *poller.AsyncError
	require.ErrorAs(t, reported[0], &ae)
	assert.Equal(t, "commit", ae.Op)
}

// librdkafka fails a commit call only when every partition failed; when some
// fail and others do not, the call succeeds and each failed partition
// carries its error. Those are reported too, naming the partition, and the
// failed partition is committed again at a later interval.
func TestCommitIntervalRetriesPartitionFailure(t *testing.T) {
	src := newFake()
	src.refused = map[int32]error{1: errCommitRefused}
	var mu sync.Mutex
	var reported []error
	pl := poller.New(src, func(context.Context, *kafka.Message) error { return nil },
		poller.Config{CommitInterval: 5 * time.Millisecond, OnError: func(err error) {
			mu.Lock()
			defer mu.Unlock()
			reported = append(reported, err)
		}})
	src.push(msg(0, 0, ""), msg(0, 1, ""), msg(1, 0, ""), msg(1, 1, ""), msg(1, 2, ""))
	stop := runPoller(pl)
	eventually(t, func() bool { o, _ := src.committedAt(0); return o == 2 }, "partition 0 committed")
	eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(reported) > 0 }, "partition 1's failure reported")
	_, ok := src.committedAt(1)
	assert.False(t, ok, "partition 1 refused its commit")
	src.mu.Lock()
	src.refused = nil
	src.mu.Unlock()
	eventually(t, func() bool { o, _ := src.committedAt(1); return o == 3 }, "partition 1 committed at a later interval")
	require.NoError(t, stop())

	mu.Lock()
	defer mu.Unlock()
	var ae *poller.AsyncError
	require.ErrorAs(t, reported[0], &ae)
	assert.Equal(t, "commit", ae.Op)
	assert.Equal(t, errCommitRefused, ae.Err, "the partition's kafka.Error, unwrapped")
	require.NotNil(t, ae.Partition, "the partition that failed alone")
	assert.Equal(t, int32(1), ae.Partition.Partition)
	assert.Equal(t, topic, *ae.Partition.Topic)
	assert.Contains(t, reported[0].Error(), "commit of t [1]: commit refused", "the failed partition is named")
	for _, err := range reported {
		assert.NotContains(t, err.Error(), "t [0]", "partition 0 never failed")
	}
}

// The commit on shutdown reports a partition that failed alone, too.
func TestShutdownCommitReportsPartitionFailure(t *testing.T) {
	reported := handled.Errors(t)
	src := newFake()
	src.refused = map[int32]error{1: errCommitRefused}
	src.push(msg(0, 0, ""), msg(1, 0, ""))
	pl := poller.New(src, func(context.Context, *kafka.Message) error { return nil }, poller.Config{})
	stop := runPoller(pl)
	eventually(t, func() bool {
		o0, _ := src.storedAt(0)
		o1, _ := src.storedAt(1)
		return o0 == 1 && o1 == 1
	}, "both handled")
	require.NoError(t, stop())

	errs := reported()
	require.Len(t, errs, 1, "partition 1's failure, once: %v", errs)
	assert.Contains(t, errs[0].Error(), "commit of t [1]: commit refused")
	var ae *poller.AsyncError
	require.ErrorAs(t, errs[0], &ae)
	assert.Equal(t, errCommitRefused, ae.Err, "the partition's kafka.Error, unwrapped")
	o, _ := src.committedAt(0)
	assert.Equal(t, kafka.Offset(1), o, "partition 0 committed")
}
