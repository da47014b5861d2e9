package interceptor

import (
	"sync"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/internal/kmetrics"
	"github.com/kafkatrace/kafkatrace/internal/spanattr"
	"github.com/kafkatrace/kafkatrace/poller"
	"github.com/kafkatrace/kafkatrace/semconv"
)

// Consumer is a traced [kafka.Consumer]. It has every method of
// *kafka.Consumer with the same signature and meaning; Subscribe,
// SubscribeTopics, Poll, ReadMessage, Events and Close are shadowed to trace,
// every other method is the embedded consumer's own. Run is new: it processes
// every message in its own goroutine with its own ctx and "process {topic}"
// span.
type Consumer struct {
	*kafka.Consumer

	cfg       config
	tracer    trace.Tracer
	metrics   *kmetrics.Client
	recv      *startOpts
	proc      *startOpts
	autoStore bool // emulate enable.auto.offset.store for drop-in Poll/ReadMessage/Events
	stores    autoStore

	events     chan kafka.Event // Events(), when go.events.channel.enable=true
	eventsDone chan struct{}
	closing    chan struct{}
	closeOnce  sync.Once

	// autoCommit is what enable.auto.commit says, when NewConsumer knows
	// it; commitEvery is auto.commit.interval.ms.
	autoCommit  bool
	commitEvery time.Duration

	mu         sync.Mutex
	userCb     kafka.RebalanceCb
	subscribed bool // the last subscription went through SubscribeTopics
	run        *runState
}

// runState is a Run in progress.
type runState struct {
	poller *poller.Poller
	cancel func()
	done   chan struct{}
}

// NewConsumer creates a traced consumer; conf is read, never modified.
//
// It sets enable.auto.offset.store=false so that Run stores only the offsets
// of finished work. If conf asked for automatic offset storing (librdkafka's
// default), the drop-in Poll, ReadMessage and Events store each message's
// offset as they return it, exactly as librdkafka would have.
func NewConsumer(conf *kafka.ConfigMap, opts ...Option) (*Consumer, error) {
	c := copyConfig(conf)
	autoStore, err := confBool(c, "enable.auto.offset.store", true)
	if err != nil {
		return nil, err
	}
	autoCommit, err := confBool(c, "enable.auto.commit", true)
	if err != nil {
		return nil, err
	}
	everyMs, err := confInt(c, "auto.commit.interval.ms", 5000)
	if err != nil {
		return nil, err
	}
	c["enable.auto.offset.store"] = false
	inner, err := kafka.NewConsumer(&c)
	if err != nil {
		return nil, err
	}
	info := spanattr.ClientInfo{
		ClientID:      confString(c, "client.id"),
		ServerAddress: serverAddress(c),
		ConsumerGroup: confString(c, "group.id"),
	}
	tc := newConsumer(inner, autoStore, info, opts)
	tc.autoCommit, tc.commitEvery = autoCommit, time.Duration(everyMs)*time.Millisecond
	return tc, nil
}

// WrapConsumer traces an existing consumer. It cannot change its
// configuration: Run needs enable.auto.offset.store=false and returns a clear
// error otherwise; the drop-in methods leave offset storing as configured.
// messaging.consumer.group.name, server.address and messaging.client.id are
// left out unless given through WithAttributes.
//
// Its enable.auto.commit setting is not known either: Run commits on a
// cadence only when given WithCommitInterval.
func WrapConsumer(c *kafka.Consumer, opts ...Option) *Consumer {
	tc := newConsumer(c, false, spanattr.ClientInfo{}, opts)
	tc.autoCommit = true
	return tc
}

func newConsumer(inner *kafka.Consumer, autoStore bool, info spanattr.ClientInfo, opts []Option) *Consumer {
	cfg := newConfig(opts)
	info.Extra = cfg.attrs
	if cfg.consumer.deadLetter != nil {
		dl := *cfg.consumer.deadLetter // options may be shared by consumers
		dl.group = info.ConsumerGroup
		cfg.consumer.deadLetter = &dl
	}
	c := &Consumer{
		Consumer: inner,
		cfg:      cfg,
		tracer:   cfg.tracer(),
		metrics:  kmetrics.New(cfg.meterProvider, ScopeName, Version, info),
		recv: newStartOpts(trace.SpanKindClient, spanattr.NewNameCache(semconv.Receive, cfg.nameFormatter),
			spanattr.NewCommon(semconv.Receive, info), cfg.opt),
		proc: newStartOpts(trace.SpanKindConsumer, spanattr.NewNameCache(semconv.Process, cfg.nameFormatter),
			spanattr.NewCommon(semconv.Process, info), cfg.opt),
		autoStore: autoStore,
		closing:   make(chan struct{}),
	}
	//lint:ignore SA1019 the wrapper keeps confluent-kafka-go's deprecated Events() working, as a drop-in must
	if ch := inner.Events(); ch != nil {
		c.events = make(chan kafka.Event, cap(ch))
		c.eventsDone = make(chan struct{})
		go c.forwardEvents(ch)
	}
	return c
}

// Subscribe subscribes to topic as kafka.Consumer.Subscribe does. The
// rebalance callback is wrapped so that Run can finish and commit the work
// of revoked partitions before they go; rebalanceCb (may be nil) is called
// as before.
func (c *Consumer) Subscribe(topic string, rebalanceCb kafka.RebalanceCb) error {
	return c.SubscribeTopics([]string{topic}, rebalanceCb)
}

// SubscribeTopics subscribes to topics as kafka.Consumer.SubscribeTopics
// does, wrapping rebalanceCb like Subscribe.
func (c *Consumer) SubscribeTopics(topics []string, rebalanceCb kafka.RebalanceCb) error {
	c.mu.Lock()
	c.userCb = rebalanceCb
	c.mu.Unlock()
	err := c.Consumer.SubscribeTopics(topics, c.rebalance)
	c.mu.Lock()
	c.subscribed = err == nil
	c.mu.Unlock()
	return err
}

// rebalance runs on the polling goroutine (inside Poll, or inside Close).
// With Run active, revoked partitions are drained and committed before the
// application's callback (or confluent-kafka-go's default) releases them.
func (c *Consumer) rebalance(inner *kafka.Consumer, ev kafka.Event) error {
	c.mu.Lock()
	cb := c.userCb
	var p *poller.Poller
	if c.run != nil {
		p = c.run.poller
	}
	c.mu.Unlock()
	if _, revoked := ev.(kafka.RevokedPartitions); revoked && c.autoStore {
		c.stores.flush(inner) // what the drop-in Poll returned is stored before the partitions go
	}
	if p != nil {
		switch e := ev.(type) {
		case kafka.AssignedPartitions:
			p.Assigned(e.Partitions)
		case kafka.RevokedPartitions:
			p.Revoked(e.Partitions, inner.AssignmentLost())
		}
	}
	if cb != nil {
		return cb(inner, ev)
	}
	return nil
}

// Close stops a running Run (as cancelling its ctx would: handlers get the
// shutdown timeout, finished work is committed), then closes the consumer as
// kafka.Consumer.Close does, returning its error unchanged. Safe from any
// goroutine; a second Close returns confluent-kafka-go's error.
func (c *Consumer) Close() error {
	c.mu.Lock()
	c.closeOnce.Do(func() { close(c.closing) }) // from here on, Run refuses to start
	r := c.run
	c.mu.Unlock()
	if r != nil {
		r.cancel()
		<-r.done
	}
	if c.autoStore && !c.IsClosed() {
		c.stores.flush(c.Consumer)
	}
	err := c.Consumer.Close()
	if c.eventsDone != nil && err == nil {
		<-c.eventsDone
	}
	c.metrics.Close()
	return err
}
