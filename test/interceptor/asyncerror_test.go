package interceptor_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kafkatrace/kafkatrace/interceptor"
	"github.com/kafkatrace/kafkatrace/test/interceptor/internal/mockfault"
	"github.com/kafkatrace/kafkatrace/test/internal/handled"
)

// asyncCommitErrors returns the *interceptor.AsyncError values of errs
// whose operation is "commit".
func asyncCommitErrors(errs []error) []*interceptor.AsyncError {
	var out []*interceptor.AsyncError
	for _, err := range errs {
		var ae *interceptor.AsyncError
		if errors.As(err, &ae) && ae.Op == "commit" {
			out = append(out, ae)
		}
	}
	return out
}

// injectedCommitErr is the OffsetCommit error the broker is made to answer
// with. librdkafka treats it as permanent (no retry, no rejoin, no
// coordinator change: rd_kafka_handle_OffsetCommit_error), so the commit
// fails once, with exactly this code, and the group stays as it was.
const injectedCommitErr = kafka.ErrGroupAuthorizationFailed

// commitFailureRun runs a consumer with enable.auto.commit=false (Run
// commits finished work every auto.commit.interval.ms, 100 ms here) on a
// mock cluster whose broker refuses the first OffsetCommit, until every
// message is handled and the finished work is committed after all.
func commitFailureRun(t *testing.T, opts ...interceptor.Option) {
	t.Helper()
	mc, err := mockfault.New(1)
	require.NoError(t, err)
	t.Cleanup(mc.Close)
	topic := uniqueTopic(t)
	require.NoError(t, mc.CreateTopic(topic, 1, 1))
	tp, _ := recorder()
	const n = 5
	produceN(t, mc.BootstrapServers(), topic, tp, n, nil)
	// Nothing commits before Run's cadence commit: librdkafka does not with
	// enable.auto.commit=false, and joining the group sends no OffsetCommit.
	mc.PushRequestErrors(mockfault.ApiKeyOffsetCommit, injectedCommitErr)

	group := uniqueTopic(t)
	c := newConsumer(t, mc.BootstrapServers(), group, tp, kafka.ConfigMap{"enable.auto.commit": false}, opts...)
	defer func() { require.NoError(t, c.Close()) }()
	require.NoError(t, c.Subscribe(topic, nil))
	var handled atomic.Int32
	stop := runConsumer(c, func(context.Context, *kafka.Message) error {
		handled.Add(1)
		return nil
	})
	require.Eventually(t, func() bool { return handled.Load() == n }, 30*time.Second, 10*time.Millisecond)
	// The failed commit is retried at the next interval: the work ends up
	// committed while Run runs (not only by the shutdown commit).
	require.Eventually(t, func() bool { return committed(t, mc.BootstrapServers(), group, topic, 0) == n },
		10*time.Second, 50*time.Millisecond, "the refused commit is made again at the next interval")
	require.NoError(t, stop())
}

// Issue 11: a commit failure inside Run, with no WithEventHandler, reaches
// otel.Handle as an *interceptor.AsyncError whose chain holds librdkafka's
// kafka.Error with the broker's code.
func TestRunCommitFailureReachesOtelHandle(t *testing.T) {
	reported := handled.Errors(t)
	commitFailureRun(t)

	commits := asyncCommitErrors(reported())
	require.Len(t, commits, 1, "the refused commit, once: %v", reported())
	var err error = commits[0]
	var kerr kafka.Error
	require.ErrorAs(t, err, &kerr, "the chain keeps librdkafka's error")
	assert.Equal(t, injectedCommitErr, kerr.Code())
	assert.Equal(t, kerr, errors.Unwrap(err), "Unwrap gives the kafka.Error unchanged")
	assert.Contains(t, err.Error(), "commit")
}

// With WithEventHandler the same failure goes to the handler, as an
// *interceptor.AsyncError, and not to otel.Handle.
func TestRunCommitFailureGoesToEventHandler(t *testing.T) {
	reported := handled.Errors(t)
	var mu sync.Mutex
	var events []kafka.Event
	commitFailureRun(t, interceptor.WithEventHandler(func(ev kafka.Event) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, ev)
	}))

	assert.Empty(t, asyncCommitErrors(reported()), "nothing of Run's reaches otel.Handle: %v", reported())
	mu.Lock()
	defer mu.Unlock()
	var asErrs []error
	for _, ev := range events {
		if ae, ok := ev.(*interceptor.AsyncError); ok {
			asErrs = append(asErrs, ae)
		}
	}
	commits := asyncCommitErrors(asErrs)
	require.Len(t, commits, 1, "the refused commit, once, as an event: %v", events)
	var kerr kafka.Error
	require.ErrorAs(t, commits[0], &kerr)
	assert.Equal(t, injectedCommitErr, kerr.Code())
	assert.Equal(t, kerr, errors.Unwrap(commits[0]))
}
