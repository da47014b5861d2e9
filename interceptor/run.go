package interceptor

import (
	"context"
	"errors"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/kafkatrace/kafkatrace/poller"
)

// Handler processes one message. ctx carries the message's "process {topic}"
// span and baggage; it is cancelled if the message's partition is revoked or
// Run shuts down and the handler overstays its timeout. Returning an error
// (or panicking) marks the span as failed and triggers the failure policy.
type Handler func(ctx context.Context, msg *kafka.Message) error

// Run polls the consumer and runs handler for every message in a goroutine
// of its own, with a ctx carrying the message's process span, until ctx is
// cancelled or Close is called. Subscribe (through this Consumer, so
// rebalances can be handled) before calling Run.
//
// Order is kept per key (default) or per partition (WithOrdering); at most
// WithMaxInFlight handlers run at once; offsets are stored only below work
// that has finished, and sent by auto-commit or by the commit Run makes when
// partitions are revoked and when it stops. See package poller for the
// details of back-pressure, rebalancing and shutdown.
//
// Run returns nil after a shutdown through ctx or Close, a
// *poller.HandlerError when a message failed every attempt under the Stop
// policy (the default), or a fatal kafka.Error. Only one Run may be active
// per Consumer.
func (c *Consumer) Run(ctx context.Context, handler Handler) error {
	if handler == nil {
		return errors.New("kafkatrace: Run needs a non-nil handler")
	}
	if c.events != nil {
		return kafka.NewError(kafka.ErrInvalidArg,
			"kafkatrace: Run polls by itself and cannot be used with go.events.channel.enable=true", false)
	}
	c.mu.Lock()
	if c.run != nil {
		c.mu.Unlock()
		return errors.New("kafkatrace: Run is already running on this Consumer")
	}
	if c.closeStarted() || c.IsClosed() {
		c.mu.Unlock()
		return kafka.NewError(kafka.ErrState, "Consumer closed", false)
	}
	runCtx, cancel := context.WithCancel(ctx)
	pcfg := c.cfg.consumer.poller
	pcfg.Hook = processHook{c}
	r := &runState{
		poller: poller.New(c.Consumer, poller.Handler(handler), pcfg),
		cancel: cancel,
		done:   make(chan struct{}),
	}
	c.run = r
	c.mu.Unlock()

	defer func() {
		c.mu.Lock()
		c.run = nil
		c.mu.Unlock()
		cancel()
		close(r.done)
	}()
	return r.poller.Run(runCtx)
}

// closeStarted reports whether Close has begun: a Run starting now would poll
// a consumer that Close is about to destroy.
func (c *Consumer) closeStarted() bool {
	select {
	case <-c.closing:
		return true
	default:
		return false
	}
}

// Stats reports the state of the running Run's poller (zero when Run is not
// running).
func (c *Consumer) Stats() poller.Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.run == nil {
		return poller.Stats{}
	}
	return c.run.poller.Stats()
}
