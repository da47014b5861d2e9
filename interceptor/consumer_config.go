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

// WithOrdering sets which messages Run may process concurrently:
// poller.ByKey (the default), poller.ByPartition or poller.Unordered.
func WithOrdering(o poller.Ordering) Option {
	return optionFunc(func(c *config) { c.consumer.poller.Ordering = o })
}

// WithMaxInFlight bounds the handlers Run runs at once (default 64). Polled
// messages waiting to start are bounded too (max(2n, 1024)): when that many
// wait, Run stops taking more and waits for a handler to finish, and pauses
// the partitions with a backlog only if none finishes for a second.
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
// failed: poller.Stop (the default: Run returns a *poller.HandlerError and
// nothing is committed past it) or poller.Skip (recorded on the span, the
// offset moves on).
func WithFailurePolicy(f poller.FailurePolicy) Option {
	return optionFunc(func(c *config) { c.consumer.poller.OnFailure = f })
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
// statistics, partition EOF, and messages that carry a partition error.
// Fatal errors also make Run return. Without it they are dropped (librdkafka
// retries transient errors by itself).
func WithEventHandler(f func(kafka.Event)) Option {
	return optionFunc(func(c *config) { c.consumer.poller.OnEvent = f })
}
