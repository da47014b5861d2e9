package interceptor

import (
	"time"

	"github.com/kafkatrace/kafkatrace/poller"
)

// The names a service needs for Run, so that interceptor is its one import;
// package poller remains for those who drive the engine directly.

// Ordering says which messages Run may process concurrently (WithOrdering).
type Ordering = poller.Ordering

const (
	// ByKey never runs two messages with the same key of one partition at
	// once, and runs them in offset order. It is the default.
	ByKey = poller.ByKey
	// ByPartition runs one message per partition at a time, in offset order.
	ByPartition = poller.ByPartition
	// Unordered runs any message as soon as a slot is free.
	Unordered = poller.Unordered
)

// FailurePolicy says what Run does with a message whose every attempt
// failed (WithFailurePolicy).
type FailurePolicy = poller.FailurePolicy

const (
	// StopOnFailure makes Run return a *HandlerError; nothing is committed
	// past the message. It is the default.
	StopOnFailure = poller.StopOnFailure
	// SkipOnFailure records the failure on the span and lets the offset move
	// past the message.
	SkipOnFailure = poller.SkipOnFailure
)

// HandlerError is what Run returns when a message failed every attempt
// under StopOnFailure: errors.As(err, &herr) gives the message's topic,
// partition and offset, the attempts, and the handler's last error.
type HandlerError = poller.HandlerError

// PanicError is what a handler's recovered panic becomes, with its stack.
type PanicError = poller.PanicError

// AsyncError is an error Run met where it could not return it: a failed
// commit, store, pause or resume. It goes to WithEventHandler when set, else
// to otel.Handle; Unwrap gives the original kafka.Error.
type AsyncError = poller.AsyncError

// RunStats is a snapshot of a running Run (Consumer.Stats).
type RunStats = poller.Stats

// ErrRewind is wrapped by Run's error when it could not move a partition
// back to its first unfinished message; see Consumer.Run.
var ErrRewind = poller.ErrRewind

// ExponentialBackoff waits base after the first failed attempt and doubles up
// to max; for WithRetry.
func ExponentialBackoff(base, max time.Duration) func(attempt int) time.Duration {
	return poller.ExponentialBackoff(base, max)
}
