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

// Observer follows one message. Failed is called after each failed attempt,
// End exactly once when the message is done.
type Observer interface {
	Failed(attempt int, err error)
	End(Result)
}

// Result is how a message's processing ended.
type Result struct {
	Err      error // the last attempt's error; nil on success
	Attempts int   // how many times the handler ran
	Skipped  bool  // every attempt failed and SkipOnFailure let the offset move on
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
