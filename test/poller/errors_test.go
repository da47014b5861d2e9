package poller_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kafkatrace/kafkatrace/poller"
	"github.com/kafkatrace/kafkatrace/test/internal/handled"
)

var errCommitRefused = kafka.NewError(kafka.ErrRebalanceInProgress, "commit refused: rebalance in progress", false)

// A commit Run cannot return (at shutdown) reaches otel.Handle when no
// OnError is set, as an *AsyncError whose chain still holds the kafka.Error
// unchanged.
func TestCommitFailureReachesOtelHandle(t *testing.T) {
	reported := handled.Errors(t)
	src := newFake()
	src.commitErr = errCommitRefused
	src.push(msg(0, 0, ""), msg(0, 1, ""))
	pl := poller.New(src, func(context.Context, *kafka.Message) error { return nil }, poller.Config{})
	stop := runPoller(pl)
	eventually(t, func() bool { o, _ := src.storedAt(0); return o == 2 }, "both handled")
	require.NoError(t, stop())

	errs := reported()
	require.Len(t, errs, 1, "the shutdown commit's failure: %v", errs)
	var ae *poller.AsyncError
	require.ErrorAs(t, errs[0], &ae)
	assert.Equal(t, "commit", ae.Op)
	var kerr kafka.Error
	require.ErrorAs(t, errs[0], &kerr)
	assert.Equal(t, errCommitRefused, kerr, "the kafka.Error is passed on as it was, not flattened")
	assert.Contains(t, errs[0].Error(), "commit refused")
}

// With OnError set, the same error goes there and not to otel.Handle.
func TestCommitFailureGoesToOnError(t *testing.T) {
	reported := handled.Errors(t)
	var mu sync.Mutex
	var got []error
	src := newFake()
	src.commitErr = errCommitRefused
	src.push(msg(0, 0, ""))
	pl := poller.New(src, func(context.Context, *kafka.Message) error { return nil }, poller.Config{
		OnError: func(err error) {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, err)
		},
	})
	stop := runPoller(pl)
	eventually(t, func() bool { o, _ := src.storedAt(0); return o == 1 }, "handled")
	require.NoError(t, stop())
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, 1)
	assert.True(t, errors.Is(got[0], errCommitRefused))
	assert.Empty(t, reported(), "nothing reaches otel.Handle when OnError is set")
}
