package poller

import (
	"errors"
	"fmt"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// PanicError is what a handler's recovered panic becomes.
type PanicError struct {
	Value any    // what the handler panicked with
	Stack []byte // the panicking goroutine's stack
}

// Error reports the panic value.
func (e *PanicError) Error() string { return fmt.Sprintf("handler panicked: %v", e.Value) }

// HandlerError is returned by Run when a message failed every attempt under
// StopOnFailure, or under DeadLetterOnFailure when the dead-letter produce
// failed too (DeadLetterErr).
type HandlerError struct {
	TopicPartition kafka.TopicPartition // topic, partition and offset of the message
	Attempts       int
	Err            error // the last attempt's error
	// DeadLetterErr is why the message could not be dead-lettered; nil
	// unless the failure policy is DeadLetterOnFailure.
	DeadLetterErr error
}

// Error names the message and the cause.
func (e *HandlerError) Error() string {
	s := fmt.Sprintf("kafkatrace: handler failed %d time(s) on %s [%d] @ %d: %v",
		e.Attempts, topicOf(e.TopicPartition), e.TopicPartition.Partition, e.TopicPartition.Offset, e.Err)
	if e.DeadLetterErr != nil {
		s += fmt.Sprintf("; not dead-lettered, so nothing is committed past it: %v", e.DeadLetterErr)
	}
	return s
}

// Unwrap returns the handler's error and, when set, DeadLetterErr.
func (e *HandlerError) Unwrap() []error {
	if e.DeadLetterErr != nil {
		return []error{e.Err, e.DeadLetterErr}
	}
	return []error{e.Err}
}

func topicOf(tp kafka.TopicPartition) string {
	if tp.Topic == nil {
		return ""
	}
	return *tp.Topic
}

// ErrRewind is returned (wrapped, with the partitions and causes) by Run when
// it could not move a partition back to its first unfinished message. The
// consumer's position is then past messages Run polled but did not finish:
// close the consumer (its next owner resumes from the committed offset, which
// never passes unfinished work) or seek explicitly before polling it again.
var ErrRewind = errors.New("kafkatrace: could not rewind to the first unfinished message")

// AsyncError is an error the poller met where it could not return it (see
// Config.OnError). It is also a kafka.Event, so an event handler can receive
// it; Unwrap gives the original error (a kafka.Error, typically) unchanged.
type AsyncError struct {
	Op  string // what failed: "commit", "store", "pause", "resume", "committed" or "assignment"
	Err error
	// Partition is the partition that failed alone (a commit librdkafka
	// took for some partitions and refused for this one), nil when the
	// operation failed as a whole.
	Partition *kafka.TopicPartition
}

// Error names the operation, the partition if one failed alone, and the
// cause.
func (e *AsyncError) Error() string {
	if e.Partition != nil && e.Partition.Topic != nil {
		return fmt.Sprintf("kafkatrace: %s of %s [%d]: %v", e.Op, *e.Partition.Topic, e.Partition.Partition, e.Err)
	}
	return "kafkatrace: " + e.Op + ": " + e.Err.Error()
}

// String is Error, making AsyncError a kafka.Event.
func (e *AsyncError) String() string { return e.Error() }

// Unwrap returns the original error.
func (e *AsyncError) Unwrap() error { return e.Err }
