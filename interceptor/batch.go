package interceptor

import (
	"context"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/kafkatrace/kafkatrace/poller"
)

// BatchHandler processes a batch: messages of one partition, in the order
// they were polled (offset order unless the partition was seeked back). To
// fail only some of them, return a *BatchError naming them; any other error
// fails the whole batch.
type BatchHandler func(ctx context.Context, msgs []*kafka.Message) error

// BatchError is what a BatchHandler returns when some messages of its batch
// failed and the others succeeded: only the failed ones are retried (the
// retry's slice holds just them, in order) and then handed to the failure
// policy; the others count as finished. A BatchError naming no message of
// the batch fails the whole batch.
//
//	return (&interceptor.BatchError{}).Fail(i, err)
type BatchError = poller.BatchError

// RunBatch is Run for handlers that work on many messages at once (bulk
// inserts, bulk API calls). It polls until ctx is cancelled or Close is
// called, and hands handler batches of one partition's messages, at most
// WithBatch's maxMessages (default 100), as soon as that many are ready or
// the oldest has waited maxWait (default 100ms).
//
// Everything Run guarantees holds per message: WithOrdering is honoured (a
// batch holds the keys of its messages, so no two batches of a partition
// holding the same key run at once and a key's messages are handled in
// offset order within and across batches, except that a message a
// *BatchError names is retried after its batch, possibly after a later
// message of its key that succeeded; ByPartition runs one batch per
// partition at a time), at most WithMaxInFlight batches run at once, only
// finished messages are committed, with the finished-offsets record, and
// rebalance and shutdown wait for running batches as they wait for Run's
// handlers.
//
// Each batch has one "process {topic}" span (CONSUMER) carrying
// messaging.batch.message_count and a link to every message's producer
// context; the handler's ctx carries it. The span's parent is ctx's span, if
// any; the messages' baggage is not propagated (it cannot be merged). The
// SDK keeps at most its span link limit (OTEL_SPAN_LINK_COUNT_LIMIT, 128 by
// default) and counts the rest as dropped: raise it for batches above 128.
//
// Retries and the failure policy apply to the batch: a failed batch is
// retried whole (or only the messages a *BatchError names), and the messages
// that failed every attempt are handled by the policy: StopOnFailure stops
// at the first of them, SkipOnFailure lets them go, WithDeadLetter produces
// each to its dead-letter topic, with send spans that are children of the
// batch's span. RunBatch returns and refuses to start as Run does.
func (c *Consumer) RunBatch(ctx context.Context, handler BatchHandler) error {
	if handler == nil {
		return ErrNilHandler
	}
	return c.runWith(ctx, func(cfg poller.Config) *poller.Poller {
		return poller.NewBatch(c.Consumer, poller.BatchHandler(handler), cfg)
	})
}
