package poller_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kafkatrace/kafkatrace/poller"
)

func noBackoff(int) time.Duration { return 0 }

// A message that fails every attempt is dead-lettered once, after the last
// attempt, on its own goroutine with the handler's ctx; then its offset
// moves on.
func TestDeadLetterAdvancesAfterDelivery(t *testing.T) {
	src := newFake()
	hook := newRecHook()
	var mu sync.Mutex
	var dead []poller.Result
	pl := poller.New(src, func(ctx context.Context, m *kafka.Message) error {
		if m.TopicPartition.Offset == 1 {
			return errBoom
		}
		return nil
	}, poller.Config{Attempts: 3, Backoff: noBackoff, Hook: hook, OnFailure: poller.DeadLetterOnFailure,
		DeadLetter: func(ctx context.Context, m *kafka.Message, r poller.Result) error {
			mu.Lock()
			defer mu.Unlock()
			assert.Equal(t, kafka.Offset(1), m.TopicPartition.Offset) // not require: this is a poller goroutine
			dead = append(dead, r)
			return nil
		}})
	src.push(msg(0, 0, "a"), msg(0, 1, "a"), msg(0, 2, "a"))
	stop := runPoller(pl)
	eventually(t, func() bool { o, _ := src.storedAt(0); return o == 3 }, "stored past the dead-lettered message")
	require.NoError(t, stop())
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, dead, 1)
	assert.Equal(t, 3, dead[0].Attempts)
	assert.ErrorIs(t, dead[0].Err, errBoom)
	r, _ := hook.result(1)
	assert.True(t, r.DeadLettered)
	assert.False(t, r.Skipped)
}

var errDLQDown = kafka.NewError(kafka.ErrUnknownTopicOrPart, "dead-letter topic does not exist", false)

// A dead-letter produce that fails is a stop: Run returns a *HandlerError
// with both errors, and nothing is committed past the message.
func TestDeadLetterFailureStops(t *testing.T) {
	src := newFake()
	pl := poller.New(src, func(ctx context.Context, m *kafka.Message) error {
		if m.TopicPartition.Offset == 2 {
			return errBoom
		}
		return nil
	}, poller.Config{Ordering: poller.ByPartition, Attempts: 2, Backoff: noBackoff, OnFailure: poller.DeadLetterOnFailure,
		DeadLetter: func(context.Context, *kafka.Message, poller.Result) error { return errDLQDown }})
	for o := int64(0); o < 6; o++ {
		src.push(msg(0, o, ""))
	}
	err := pl.Run(context.Background())
	var herr *poller.HandlerError
	require.ErrorAs(t, err, &herr)
	assert.Equal(t, kafka.Offset(2), herr.TopicPartition.Offset)
	assert.ErrorIs(t, err, errBoom)
	var kerr kafka.Error
	require.ErrorAs(t, err, &kerr)
	assert.Equal(t, errDLQDown, kerr, "the produce's kafka.Error, unchanged")
	assert.Equal(t, errDLQDown, herr.DeadLetterErr)
	assert.Contains(t, err.Error(), "not dead-lettered")
	o, _ := src.committedAt(0)
	assert.Equal(t, kafka.Offset(2), o)
}

// DeadLetterOnFailure without a DeadLetter function is a stop, not a skip.
func TestDeadLetterWithoutFunctionStops(t *testing.T) {
	src := newFake()
	pl := poller.New(src, func(context.Context, *kafka.Message) error { return errBoom },
		poller.Config{Attempts: 1, OnFailure: poller.DeadLetterOnFailure})
	src.push(msg(0, 0, ""))
	err := pl.Run(context.Background())
	var herr *poller.HandlerError
	require.ErrorAs(t, err, &herr)
	assert.Error(t, herr.DeadLetterErr)
}

// A shutdown while the dead-letter produce waits abandons the message: it is
// not committed, so it comes again (and is dead-lettered then).
func TestDeadLetterCancelledAbandons(t *testing.T) {
	src := newFake()
	hook := newRecHook()
	waiting := make(chan struct{})
	pl := poller.New(src, func(context.Context, *kafka.Message) error { return errBoom },
		poller.Config{Attempts: 1, Hook: hook, OnFailure: poller.DeadLetterOnFailure,
			ShutdownTimeout: time.Millisecond, CancelGrace: 5 * time.Second,
			DeadLetter: func(ctx context.Context, _ *kafka.Message, _ poller.Result) error {
				close(waiting)
				<-ctx.Done() // the delivery report never comes
				return ctx.Err()
			}})
	src.push(msg(0, 0, ""))
	stop := runPoller(pl)
	<-waiting
	require.NoError(t, stop(), "an abandoned message is not a failure")
	r, _ := hook.result(0)
	assert.True(t, r.Abandoned)
	assert.False(t, r.DeadLettered)
	o, _ := src.committedAt(0)
	assert.Equal(t, kafka.Offset(0), o, "nothing committed past it")
	require.NotEmpty(t, src.seeks, "rewound to the abandoned message")
}

// A panicking DeadLetter is a failed dead-letter: Run stops on it.
func TestDeadLetterPanicStops(t *testing.T) {
	src := newFake()
	pl := poller.New(src, func(context.Context, *kafka.Message) error { return errBoom },
		poller.Config{Attempts: 1, OnFailure: poller.DeadLetterOnFailure,
			DeadLetter: func(context.Context, *kafka.Message, poller.Result) error { panic("producer gone") }})
	src.push(msg(0, 0, ""))
	err := pl.Run(context.Background())
	var perr *poller.PanicError
	require.True(t, errors.As(err, &perr), "got %v", err)
	assert.Equal(t, "producer gone", perr.Value)
}
