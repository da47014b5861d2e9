// Package poller runs each polled Kafka message in its own goroutine while
// keeping order, bounding concurrency and committing only finished work.
//
// It is the engine behind interceptor.Consumer.Run, and knows nothing about
// tracing: the interceptor observes each message through a [Hook].
//
// # Ordering
//
//   - [ByKey] (the default): messages with the same key in the same partition
//     never run concurrently and run in offset order. Messages with a nil key
//     have no order to keep and run as soon as there is room.
//   - [ByPartition]: one message at a time per partition, in offset order.
//   - [Unordered]: any message may run as soon as there is room.
//
// A message's goroutine is its own while its handler runs: when it
// finishes, that goroutine goes on with the next message it frees a slot
// for (with that message's own ctx) rather than a new goroutine being
// started, which is cheaper; no two messages ever share one at once. A
// handler must therefore leave no goroutine state behind (an unmatched
// runtime.LockOSThread, pprof goroutine labels): the next message may run
// on the same goroutine.
//
// # Bounds and back-pressure
//
// At most MaxInFlight handlers run at once. Messages polled but not yet
// started are buffered; when the buffer reaches MaxBuffered the poller stops
// taking messages and waits for a handler to make room, still calling Poll
// (without blocking, about every PollTimeout) so rebalance callbacks are
// served and the consumer stays in its group (max.poll.interval.ms is never
// exceeded by waiting on handlers). Fast handlers thus never cause a pause.
// If the buffer stays full for a second, the poller pauses every partition;
// they all resume once the buffer is below half of MaxBuffered, so a paused
// partition waits at most MaxBuffered/2 handler completions however busy the
// others are. The bound is soft: a message polled while waiting is kept, so
// the buffer can exceed MaxBuffered by about one message per PollTimeout of
// waiting before the pause (10 by default) plus one per partition assigned
// during it. Pausing purges librdkafka's prefetched messages;
// fetching resumes from the last message handed to the poller, so nothing is
// skipped. librdkafka keeps pause state across rebalances, so newly assigned
// and revoked partitions are resumed explicitly. A partition whose window of
// unfinished offsets reaches MaxWindow is paused as well.
//
// # Offsets
//
// For each partition the poller stores (StoreOffsets) only the offset below
// which every polled message has finished: a slow message at offset 5 holds
// the stored offset at 5 while 6, 7, ... finish, and once 5 finishes it jumps
// past everything finished. Auto-commit or explicit commits send what was
// stored; the consumer must run with enable.auto.offset.store=false
// (interceptor.NewConsumer forces it). Stores happen on the polling goroutine
// after every Poll, so they are never reordered.
//
// # Failures
//
// A handler error or panic (recovered, reported as [*PanicError] with its
// stack) is retried up to Attempts times with Backoff between tries. If every
// attempt fails, [StopOnFailure] (the default) stops the poller: Run returns a
// [*HandlerError] and nothing is stored past the failed offset, so the message
// is redelivered after a restart. [SkipOnFailure] records the failure through the hook
// and lets the offset advance. [DeadLetterOnFailure] hands the message to
// Config.DeadLetter (on the message's goroutine, with its ctx, so its lane
// waits) and lets the offset advance only once that returns nil, that is
// once the dead-letter copy is acknowledged; if it fails, the message is
// treated under StopOnFailure and the [*HandlerError] carries both errors
// (DeadLetterErr). Nothing is lost silently.
//
// # Batches
//
// [NewBatch] makes a poller that hands a [BatchHandler] batches of one
// partition's messages, in the order polled, at most Config.BatchSize, once
// that many can start or the oldest has waited BatchWait (or the buffer is
// full). A batch holds the lanes of its messages: under ByKey no two batches
// holding the same key of a partition run at once, so a key's messages run
// in offset order within and across batches; under ByPartition one batch per
// partition runs at a time. MaxInFlight bounds the batches running. Offsets,
// the finished-offsets record, back-pressure, rebalance and shutdown work per
// message exactly as for New. A failed batch is retried whole, or only the
// messages a [*BatchError] names; the failure policy then applies to each
// message that failed every attempt.
//
// # Commits
//
// Stored offsets are committed by auto-commit, and by the poller on revoke
// and shutdown. With Config.CommitInterval set (consumers with
// enable.auto.commit=false), the poller also commits every interval, from a
// goroutine of its own, one commit at a time (SyncCommit: on the polling
// goroutine); revoke and shutdown wait for the commit in flight first, so
// commits are never reordered.
//
// # Rebalance and shutdown
//
// On revoke ([Poller.Revoked], called from the rebalance callback) the poller
// stops dispatching the revoked partitions, drops their unstarted messages,
// waits up to RevokeTimeout for their running handlers, then cancels those
// handlers' ctx and waits a short grace; it then stores and commits what
// finished, and lets the partitions go. Messages whose handlers had not
// finished are redelivered to the next owner (at-least-once).
//
// When Run's ctx is cancelled (or on Stop), polling stops, unstarted messages
// are dropped, running handlers get ShutdownTimeout to finish before their
// ctx is cancelled, finished work is stored and committed, and Run returns.
// A handler that ignores its ctx past the grace is abandoned: Run returns
// anyway, and that message's offset is not committed. No attempt (first or
// retry) starts once the message's ctx is cancelled.
//
// When Run returns, every partition whose polled messages did not all
// finish is rewound to its first unfinished message (SeekPartitions), so a
// later Run or Poll on the same consumer loses nothing; a later Run reads the
// finished-offsets record committed at shutdown and skips the work already
// done.
//
// # Seeks and offset resets
//
// A polled offset at or below the newest one polled on its partition (a
// Seek, an offset reset by librdkafka) restarts the partition's tracking
// from it. Messages polled before and still unfinished keep holding the
// committed offset until they finish; the new ones are dispatched as usual,
// behind them in their lanes.
package poller
