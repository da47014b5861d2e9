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
