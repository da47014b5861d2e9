package poller

import (
	"context"
	"fmt"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// Ordering says which messages may run concurrently.
type Ordering int

const (
	// ByKey never runs two messages with the same key of one partition at
	// once, and runs them in offset order. It is the default.
	ByKey Ordering = iota
	// ByPartition runs one message per partition at a time, in offset order.
	ByPartition
	// Unordered runs any message as soon as a slot is free.
	Unordered
)

// String returns the ordering's name.
func (o Ordering) String() string {
	switch o {
	case ByKey:
		return "by-key"
	case ByPartition:
		return "by-partition"
	case Unordered:
		return "unordered"
	}
	return fmt.Sprintf("Ordering(%d)", int(o))
}

// FailurePolicy says what happens to a message whose every attempt failed.
type FailurePolicy int

const (
	// StopOnFailure stops the poller: Run returns a *HandlerError and no
	// offset is stored past the failed message. It is the default.
	StopOnFailure FailurePolicy = iota
	// SkipOnFailure records the failure through the hook and lets the
	// offset move past the message.
	SkipOnFailure
	// DeadLetterOnFailure hands the message to Config.DeadLetter, which
	// produces it to a dead-letter topic and returns once the broker has it.
	// The offset moves past the message only then; if DeadLetter fails, the
	// message is treated under StopOnFailure.
	DeadLetterOnFailure
)

// String returns the policy's name.
func (f FailurePolicy) String() string {
	switch f {
	case StopOnFailure:
		return "stop"
	case SkipOnFailure:
		return "skip"
	case DeadLetterOnFailure:
		return "dead-letter"
	}
	return fmt.Sprintf("FailurePolicy(%d)", int(f))
}

// Handler processes one message. ctx is cancelled when the message's
// partition is revoked or the poller shuts down past its grace period.
type Handler func(ctx context.Context, msg *kafka.Message) error

// BatchHandler processes a batch: messages of one partition in offset order.
// To fail only some of them, it returns a [*BatchError] naming them; any
// other error fails the whole batch.
type BatchHandler func(ctx context.Context, msgs []*kafka.Message) error

// DeadLetter produces msg, which failed every attempt, to a dead-letter
// topic and returns nil once the broker has acknowledged it. r says how it
// failed (Attempts, Err). ctx is the message's (or batch's) handler ctx: a
// DeadLetter that returns ctx's error when it is cancelled has the message
// abandoned and redelivered, not stopped on.
type DeadLetter func(ctx context.Context, msg *kafka.Message, r Result) error

// Source is the part of *kafka.Consumer the poller uses.
type Source interface {
	Poll(timeoutMs int) kafka.Event
	Pause(partitions []kafka.TopicPartition) error
	Resume(partitions []kafka.TopicPartition) error
	StoreOffsets(offsets []kafka.TopicPartition) ([]kafka.TopicPartition, error)
	CommitOffsets(offsets []kafka.TopicPartition) ([]kafka.TopicPartition, error)
	Committed(partitions []kafka.TopicPartition, timeoutMs int) ([]kafka.TopicPartition, error)
	// SeekPartitions moves each partition's position; Run uses it when it
	// returns, to rewind to the first message it did not finish.
	SeekPartitions(partitions []kafka.TopicPartition) ([]kafka.TopicPartition, error)
	// Assignment lists the assigned partitions; Run reads their
	// finished-offsets records when it starts.
	Assignment() ([]kafka.TopicPartition, error)
}

// Config tunes a Poller. Zero fields take the defaults listed.
type Config struct {
	Ordering    Ordering // default ByKey
	MaxInFlight int      // concurrent handlers; default 64
	// MaxBuffered bounds the polled, unstarted messages held; default
	// max(2*MaxInFlight, 1024), and for batches max(1024,
	// min(2*MaxInFlight*BatchSize, 16384)).
	MaxBuffered int

	Attempts  int                             // handler attempts per message; default 3
	Backoff   func(attempt int) time.Duration // wait after failed attempt n; default 100ms doubling to 5s
	OnFailure FailurePolicy                   // default StopOnFailure
	// DeadLetter is required by DeadLetterOnFailure: without it, a
	// message that failed every attempt is treated under StopOnFailure.
	DeadLetter DeadLetter

	// CommitInterval, when positive, makes Run commit the stored offsets
	// (with the finished-offsets record) itself that often: for consumers
	// with enable.auto.commit=false, which otherwise commit only on revoke
	// and shutdown. Zero leaves commits to auto-commit.
	CommitInterval time.Duration
	// SyncCommit makes those commits synchronous: the polling loop waits
	// for each. By default one goroutine of Run's sends them, one at a time,
	// and revoke and shutdown wait for the one in flight before their own.
	SyncCommit bool

	// BatchSize and BatchWait shape the batches of a poller made with
	// NewBatch: at most BatchSize messages (default 100), started once
	// BatchSize are ready or the oldest ready one has waited BatchWait
	// (default 100ms). Ignored by New.
	BatchSize int
	BatchWait time.Duration

	RevokeTimeout   time.Duration // wait for a revoked partition's handlers; default 10s
	ShutdownTimeout time.Duration // wait for handlers when Run stops; default 30s
	CancelGrace     time.Duration // wait after cancelling handlers' ctx; default 1s
	PollTimeout     time.Duration // one Poll call; default 100ms

	// Hook observes each message; nil observes nothing.
	Hook Hook
	// OnEvent receives what Poll returns besides messages (errors,
	// statistics, partition EOF, ...), and messages carrying a partition
	// error. Fatal errors also stop Run. nil drops them.
	OnEvent func(kafka.Event)
	// OnError receives, as an *AsyncError, each error the poller meets
	// where it cannot return it: a failed commit (on revoke, at shutdown or
	// on the CommitInterval cadence; one per partition when only some
	// failed), store, pause, resume, or read of committed offsets. nil sends
	// them to otel.Handle.
	OnError func(error)
}

func (c Config) withDefaults(batch bool) Config {
	if c.MaxInFlight <= 0 {
		c.MaxInFlight = 64
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 100
	}
	if c.BatchWait <= 0 {
		c.BatchWait = 100 * time.Millisecond
	}
	if c.MaxBuffered <= 0 && batch {
		// Room for every slot's next batch to fill.
		c.MaxBuffered = max(1024, min(2*c.MaxInFlight*c.BatchSize, 16384))
	}
	if c.MaxBuffered <= 0 {
		// Room for a fetch burst of one partition, so that the
		// messages of the others, which librdkafka delivers behind it,
		// are reached without pausing (a pause purges the prefetched
		// messages and costs a refetch).
		c.MaxBuffered = max(2*c.MaxInFlight, 1024)
	}
	if c.Attempts <= 0 {
		c.Attempts = 3
	}
	if c.Backoff == nil {
		c.Backoff = ExponentialBackoff(100*time.Millisecond, 5*time.Second)
	}
	if c.RevokeTimeout <= 0 {
		c.RevokeTimeout = 10 * time.Second
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = 30 * time.Second
	}
	if c.CancelGrace <= 0 {
		c.CancelGrace = time.Second
	}
	if c.PollTimeout <= 0 {
		c.PollTimeout = 100 * time.Millisecond
	}
	if c.Hook == nil {
		c.Hook = nopHook{}
	}
	return c
}

// ExponentialBackoff waits base after the first failed attempt and doubles up
// to max.
func ExponentialBackoff(base, max time.Duration) func(attempt int) time.Duration {
	return func(attempt int) time.Duration {
		d := base
		for i := 1; i < attempt && d < max; i++ {
			d *= 2
		}
		return min(d, max)
	}
}
