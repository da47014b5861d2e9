package poller

import (
	"context"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// Hook observes the processing of each message; the interceptor uses it to
// start and end the process span.
type Hook interface {
	// Begin runs on the message's goroutine before the first attempt. The
	// ctx it returns is the one the handler gets. polled is when Poll
	// returned the message.
	Begin(ctx context.Context, msg *kafka.Message, polled time.Time) (context.Context, Observer)
}

// BatchHook is implemented by a Hook that also observes batches (NewBatch);
// without it batches are not observed.
type BatchHook interface {
	// BeginBatch runs on the batch's goroutine before the first attempt.
	// msgs are one partition's, in offset order; polled[i] is when Poll
	// returned msgs[i]. The ctx it returns is the one the handler gets.
	BeginBatch(ctx context.Context, msgs []*kafka.Message, polled []time.Time) (context.Context, Observer)
}

// Observer follows one message or batch. Failed is called after each failed
// attempt, End exactly once when the message or batch is done.
type Observer interface {
	Failed(attempt int, err error)
	End(Result)
}

// Result is how a message's (or a batch's) processing ended.
type Result struct {
	Err      error // the last attempt's error; nil on success
	Attempts int   // how many times the handler ran
	Skipped  bool  // every attempt failed and SkipOnFailure let the offset move on
	// DeadLettered is true when every attempt failed and Config.DeadLetter
	// delivered the message (for a batch: every failed message) to its
	// dead-letter topic, so the offset moved on.
	DeadLettered bool
	// DeadLetterErr is why DeadLetter could not deliver the message (or one
	// of the batch's): the message was then treated under StopOnFailure.
	DeadLetterErr error
	// Failed is, for a batch, how many of its messages failed every
	// attempt (all of them, unless the handler returned a *BatchError);
	// 0 for a single message.
	Failed int
	// Abandoned is true when the message's ctx was cancelled (revoke or
	// shutdown) before it succeeded: it is not committed and will be
	// redelivered.
	Abandoned bool
}

type nopHook struct{}

func (nopHook) Begin(ctx context.Context, _ *kafka.Message, _ time.Time) (context.Context, Observer) {
	return ctx, nopObserver{}
}

type nopObserver struct{}

func (nopObserver) Failed(int, error) {}
func (nopObserver) End(Result)        {}
