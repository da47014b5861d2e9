package interceptor

import (
	"context"
	"fmt"

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
// cancelled or Close is called. (A goroutine whose message finished may go
// on with the next message, with that message's ctx: leave no goroutine
// state behind, such as an unmatched runtime.LockOSThread.) Subscribe (through this Consumer, so
// rebalances can be handled) before calling Run.
//
// Order is kept per key (default) or per partition (WithOrdering); at most
// WithMaxInFlight handlers run at once; offsets are stored only below work
// that has finished, and sent by auto-commit, by the commits Run makes
// itself on a cadence when enable.auto.commit=false (WithCommitInterval), and
// by the commit Run makes when partitions are revoked and when it stops. See package poller for the
// details of back-pressure, rebalancing and shutdown.
//
// Run returns nil after a shutdown through ctx or Close, a *HandlerError
// when a message failed every attempt under StopOnFailure (the default), a
// fatal kafka.Error, or an error wrapping ErrRewind (see below). It refuses
// to start, returning one of the Err* sentinels of this package, without a
// handler, without a subscription (or assignment), when the subscription was
// made on the embedded kafka.Consumer, with go.events.channel.enable=true,
// while another Run is active, or once Close has begun.
//
// When Run returns, every partition whose polled messages did not all
// finish is rewound to its first unfinished message, so calling Run again on
// the same Consumer, or polling it, loses nothing; the next Run skips the
// work the previous one finished above that point. If a rewind fails, Run's
// error wraps ErrRewind: close the consumer (its next owner resumes from the
// committed offset) or Seek before polling it again.
func (c *Consumer) Run(ctx context.Context, handler Handler) error {
	if handler == nil {
		return ErrNilHandler
	}
	return c.runWith(ctx, func(cfg poller.Config) *poller.Poller {
		return poller.New(c.Consumer, poller.Handler(handler), cfg)
	})
}

// runWith is Run and RunBatch: newPoller makes the engine from the config.
func (c *Consumer) runWith(ctx context.Context, newPoller func(poller.Config) *poller.Poller) error {
	if c.events != nil {
		return ErrEventsChannel
	}
	pcfg, err := c.pollerConfig()
	if err != nil {
		return err
	}
	c.mu.Lock()
	if c.run != nil {
		c.mu.Unlock()
		return ErrRunActive
	}
	if c.closeStarted() || c.IsClosed() {
		c.mu.Unlock()
		return ErrConsumerClosed
	}
	if err := c.checkSubscribedLocked(); err != nil {
		c.mu.Unlock()
		return err
	}
	runCtx, cancel := context.WithCancel(ctx)
	r := &runState{
		poller: newPoller(pcfg),
		cancel: cancel,
		done:   make(chan struct{}),
	}
	c.run = r
	c.mu.Unlock()

	stopGauges := c.metrics.ObserveRun(func(dst []poller.Progress) (int, int, []poller.Progress) {
		st := r.poller.Stats()
		return st.Running, st.Buffered, r.poller.Progress(dst)
	})
	defer stopGauges()
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		c.watchAssignment(runCtx)
	}()
	defer func() {
		cancel()
		<-watched
		c.mu.Lock()
		c.run = nil
		c.mu.Unlock()
		close(r.done)
	}()
	return r.poller.Run(runCtx)
}

// pollerConfig completes the options' poller.Config: the hook, statistics,
// the dead-letter producer and the commit cadence.
func (c *Consumer) pollerConfig() (poller.Config, error) {
	pcfg := c.cfg.consumer.poller
	pcfg.Hook = processHook{c}
	userEvent := pcfg.OnEvent
	pcfg.OnEvent = func(ev kafka.Event) {
		if s, ok := ev.(*kafka.Stats); ok {
			c.metrics.ObserveStats(s.String())
		}
		if userEvent != nil {
			userEvent(ev)
		}
	}
	if dl := c.cfg.consumer.deadLetter; dl != nil {
		if dl.route == nil || dl.producer == nil {
			return pcfg, ErrDeadLetterConfig
		}
		pcfg.DeadLetter = dl.send
	}
	if !c.cfg.consumer.commitSet && !c.autoCommit {
		pcfg.CommitInterval = c.commitEvery
	}
	return pcfg, nil
}

// checkSubscribedLocked returns an error wrapping ErrNotSubscribed unless
// the consumer is subscribed through this wrapper or has an assignment.
// Called with c.mu held, which keeps Close from destroying the consumer
// meanwhile.
func (c *Consumer) checkSubscribedLocked() error {
	topics, err := c.Consumer.Subscription()
	if err != nil {
		return err
	}
	if len(topics) > 0 {
		if !c.subscribed {
			return fmt.Errorf("%w: the subscription to %v was made on the embedded kafka.Consumer, "+
				"which bypasses the rebalance handling Run needs to commit finished work; "+
				"subscribe with c.Subscribe or c.SubscribeTopics instead", ErrNotSubscribed, topics)
		}
		return nil
	}
	parts, err := c.Consumer.Assignment()
	if err != nil {
		return err
	}
	if len(parts) == 0 {
		return fmt.Errorf("%w: the consumer has no subscription and no assignment; call c.Subscribe(topic, nil) before Run",
			ErrNotSubscribed)
	}
	return nil
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

// Stats reports the state of the running Run (zero when Run is not running).
func (c *Consumer) Stats() RunStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.run == nil {
		return RunStats{}
	}
	return c.run.poller.Stats()
}
