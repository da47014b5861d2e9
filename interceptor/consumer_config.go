package interceptor

import (
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/kafkatrace/kafkatrace/poller"
)

// consumerConfig holds the options that only the Consumer reads.
type consumerConfig struct {
	poller      poller.Config
	linkOnly    bool
	topicPolicy TopicPolicy
	deadLetter  *deadLetter // WithDeadLetter
	// commitSet is true when WithCommitInterval was given.
	commitSet bool
}

func defaultConsumerConfig() consumerConfig { return consumerConfig{} }

// TopicPolicy tells the Consumer which topics carry trace context from
// outside the trust boundary. On an untrusted topic the process span starts a
// new trace that only links to the producer's context, and the incoming
// baggage is dropped, so a remote sampled flag can neither force sampling nor
// inject baggage. *sampling.Sampler implements it from its rules.
type TopicPolicy interface {
	Untrusted(topic string) bool
}

// WithTopicPolicy sets the per-topic trust policy (see TopicPolicy). nil is
// ignored: every topic is trusted.
func WithTopicPolicy(p TopicPolicy) Option {
	return optionFunc(func(c *config) {
		if p != nil {
			c.consumer.topicPolicy = p
		}
	})
}

// WithLinkOnly makes every process span start a new trace with a link to the
// producer's span instead of being its child. Off by default: consume →
// produce chains stay one trace.
func WithLinkOnly(linkOnly bool) Option {
	return optionFunc(func(c *config) { c.consumer.linkOnly = linkOnly })
}

// WithOrdering sets which messages Run may process concurrently: ByKey (the
// default), ByPartition or Unordered.
func WithOrdering(o Ordering) Option {
	return optionFunc(func(c *config) { c.consumer.poller.Ordering = o })
}

// WithMaxInFlight bounds the handlers Run runs at once (default 64), or the
// batches RunBatch runs at once. Polled messages waiting to start are
// bounded too (about max(2n, 1024); for RunBatch max(1024, min(2n*batch
// size, 16384))): when that
// many wait, Run stops taking more and waits for a handler to finish, and
// pauses every partition, until half of them have started, only if none
// finishes for a second.
func WithMaxInFlight(n int) Option {
	return optionFunc(func(c *config) { c.consumer.poller.MaxInFlight = n })
}

// WithRetry sets how many times Run calls the handler for one message
// (default 3) and the wait after failed attempt n (default 100ms doubling
// to 5s; nil keeps it).
func WithRetry(attempts int, backoff func(attempt int) time.Duration) Option {
	return optionFunc(func(c *config) {
		c.consumer.poller.Attempts = attempts
		if backoff != nil {
			c.consumer.poller.Backoff = backoff
		}
	})
}

// WithFailurePolicy sets what Run does with a message whose every attempt
// failed: StopOnFailure (the default: Run returns a *HandlerError and nothing
// is committed past it) or SkipOnFailure (recorded on the span, the offset
// moves on). WithDeadLetter sets the third policy; the last of the two
// options given wins.
func WithFailurePolicy(f FailurePolicy) Option {
	return optionFunc(func(c *config) {
		c.consumer.poller.OnFailure = f
		c.consumer.deadLetter = nil
	})
}

// WithBatch shapes RunBatch's batches: at most maxMessages messages of one
// partition (default 100), handed to the handler once that many are ready or
// the oldest has waited maxWait (default 100ms). Zero keeps a default. Run
// ignores it.
func WithBatch(maxMessages int, maxWait time.Duration) Option {
	return optionFunc(func(c *config) {
		c.consumer.poller.BatchSize = maxMessages
		c.consumer.poller.BatchWait = maxWait
	})
}

// WithCommitInterval makes Run and RunBatch commit finished work (offsets
// and the finished-offsets record) themselves every d. A consumer made by
// NewConsumer with enable.auto.commit=false does so every
// auto.commit.interval.ms (default 5s) without this option; with
// auto-commit on, librdkafka commits what Run stores and this option only
// adds commits of its own. Commits are sent from a goroutine of Run's, one
// at a time, unless WithSyncCommit; failures go where WithEventHandler's
// *AsyncError values go. d <= 0 turns the periodic commits off (revoke and
// shutdown still commit), as auto.commit.interval.ms=0 does for a consumer
// with enable.auto.commit=false.
func WithCommitInterval(d time.Duration) Option {
	return optionFunc(func(c *config) {
		c.consumer.poller.CommitInterval = max(d, 0)
		c.consumer.commitSet = true
	})
}

// WithSyncCommit makes the commits of WithCommitInterval synchronous: Run's
// polling loop waits for each one's result.
func WithSyncCommit(sync bool) Option {
	return optionFunc(func(c *config) { c.consumer.poller.SyncCommit = sync })
}

// WithRevokeTimeout sets how long a rebalance waits for the revoked
// partitions' handlers before cancelling their ctx (default 10s).
func WithRevokeTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.consumer.poller.RevokeTimeout = d })
}

// WithShutdownTimeout sets how long Run waits for running handlers after its
// ctx is cancelled before cancelling theirs (default 30s).
func WithShutdownTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.consumer.poller.ShutdownTimeout = d })
}

// WithEventHandler receives what Run polls besides messages: errors,
// statistics, partition EOF, and messages that carry a partition error
// (fatal errors also make Run return); and, as *AsyncError, the errors Run
// meets where it cannot return them (a failed commit, store, pause or
// resume). Without it, polled events are dropped (librdkafka retries
// transient errors by itself) and the *AsyncError values go to otel.Handle.
func WithEventHandler(f func(kafka.Event)) Option {
	return optionFunc(func(c *config) {
		c.consumer.poller.OnEvent = f
		c.consumer.poller.OnError = nil
		if f != nil {
			c.consumer.poller.OnError = func(err error) { f(err.(*poller.AsyncError)) }
		}
	})
}
