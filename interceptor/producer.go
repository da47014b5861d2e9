package interceptor

import (
	"context"
	"sync"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/carrier"
	"github.com/kafkatrace/kafkatrace/internal/kmetrics"
	"github.com/kafkatrace/kafkatrace/internal/spanattr"
	"github.com/kafkatrace/kafkatrace/semconv"
)

// Producer is a traced [kafka.Producer]. It has every method of
// *kafka.Producer with the same signature and meaning; Produce,
// ProduceChannel, Events, Len, Flush and Close are shadowed to trace, every
// other method is the embedded producer's own.
//
// Each produced message gets a "send {topic}" span (PRODUCER) that ends when
// the broker acknowledges or rejects the message, with the partition and
// offset of the delivery report or an error status. The span's W3C context is
// written into the message headers.
type Producer struct {
	*kafka.Producer

	cfg     config
	tracer  trace.Tracer
	start   *startOpts
	metrics *kmetrics.Client
	fwdDR   bool // go.delivery.reports: forward reports of nil-deliveryChan messages to Events()

	drChan     chan kafka.Event // delivery reports of traced messages, and of untraced ones with no deliveryChan
	events     chan kafka.Event // what Events() returns
	lenReq     chan chan int    // Len asks the router, which holds events on their way
	closing    chan struct{}
	routerDone chan struct{}
	pending    pendingSet
	closeOnce  sync.Once

	pc produceChannel

	reportAttrs [2]attribute.KeyValue // the router's scratch for finishDelivery
}

// Sizes of the internal channels. Reports pass through them in microseconds;
// the user-facing Events() channel keeps go.events.channel.size.
const (
	drChanSize      = 4096
	innerEventsSize = 4096
	defaultEvents   = 1000000 // confluent-kafka-go's go.events.channel.size default
)

// NewProducer creates a traced producer; conf is read, never modified. It
// accepts everything kafka.NewProducer accepts and returns its errors
// unchanged, except go.batch.producer=true, which is rejected with an
// ErrInvalidArg kafka.Error because librdkafka's batch producer drops message
// headers and trace context could not travel.
func NewProducer(conf *kafka.ConfigMap, opts ...Option) (*Producer, error) {
	c := copyConfig(conf)
	batch, err := confBool(c, "go.batch.producer", false)
	if err != nil {
		return nil, err
	}
	if batch {
		return nil, kafka.NewError(kafka.ErrInvalidArg,
			"kafkatrace: go.batch.producer=true drops message headers, so trace context cannot propagate; remove it", false)
	}
	fwdDR, err := confBool(c, "go.delivery.reports", true)
	if err != nil {
		return nil, err
	}
	size, err := confInt(c, "go.events.channel.size", defaultEvents)
	if err != nil {
		return nil, err
	}
	pcSize, err := confInt(c, "go.produce.channel.size", defaultEvents)
	if err != nil {
		return nil, err
	}
	// The inner events channel only feeds our router, and the inner
	// ProduceChannel is never used; the user-facing ones get the sizes asked for.
	c["go.events.channel.size"] = min(size, innerEventsSize)
	c["go.produce.channel.size"] = min(pcSize, innerEventsSize)
	inner, err := kafka.NewProducer(&c)
	if err != nil {
		return nil, err
	}
	info := spanattr.ClientInfo{ClientID: confString(c, "client.id"), ServerAddress: serverAddress(c)}
	p := newProducer(inner, fwdDR, size, info, opts)
	p.pc.size = pcSize
	return p, nil
}

// WrapProducer traces an existing producer. After wrapping, read events and
// reports from the wrapper's Events(), not from p.Events().
//
// WrapProducer cannot see p's configuration: it assumes
// go.delivery.reports=true (the default) and leaves server.address and
// messaging.client.id out. Use NewProducer for producers configured with
// go.delivery.reports=false.
func WrapProducer(p *kafka.Producer, opts ...Option) *Producer {
	w := newProducer(p, true, cap(p.Events()), spanattr.ClientInfo{}, opts)
	//lint:ignore SA1019 the wrapper keeps confluent-kafka-go's deprecated ProduceChannel working, as a drop-in must
	w.pc.size = cap(p.ProduceChannel())
	return w
}

func newProducer(inner *kafka.Producer, fwdDR bool, eventsSize int, info spanattr.ClientInfo, opts []Option) *Producer {
	cfg := newConfig(opts)
	info.Extra = cfg.attrs
	p := &Producer{
		Producer: inner,
		cfg:      cfg,
		tracer:   cfg.tracer(),
		start: newStartOpts(trace.SpanKindProducer, spanattr.NewNameCache(semconv.Send, cfg.nameFormatter),
			spanattr.NewCommon(semconv.Send, info), cfg.opt),
		metrics:    kmetrics.New(cfg.meterProvider, ScopeName, Version, info),
		fwdDR:      fwdDR,
		drChan:     make(chan kafka.Event, drChanSize),
		events:     make(chan kafka.Event, eventsSize),
		lenReq:     make(chan chan int),
		closing:    make(chan struct{}),
		routerDone: make(chan struct{}),
	}
	p.pending.init()
	go p.route(inner.Events())
	return p
}

// Produce enqueues msg exactly as kafka.Producer.Produce does, and traces it.
// If msg already carries trace context in its headers the send span continues
// that trace; otherwise it starts a new one. The report goes to deliveryChan,
// or to Events() when deliveryChan is nil, with msg's own Opaque.
//
// msg itself is not modified: the message handed to librdkafka is a copy whose
// headers are msg.Headers plus the trace headers (replacing any trace headers
// msg had).
func (p *Producer) Produce(msg *kafka.Message, deliveryChan chan kafka.Event) error {
	return p.produce(context.Background(), msg, deliveryChan)
}

// ProduceContext is Produce with the send span's parent taken from ctx (a
// handler's ctx in Consumer.Run, for example). When ctx carries no span, the
// trace context already in msg's headers, if any, is the parent.
func (p *Producer) ProduceContext(ctx context.Context, msg *kafka.Message, deliveryChan chan kafka.Event) error {
	return p.produce(ctx, msg, deliveryChan)
}

func (p *Producer) produce(ctx context.Context, msg *kafka.Message, deliveryChan chan kafka.Event) error {
	if msg == nil || spanattr.Topic(msg.TopicPartition) == "" {
		return p.Producer.Produce(msg, deliveryChan) // confluent's own error
	}
	topic := *msg.TopicPartition.Topic
	name, opts := p.start.forMessage(topic, msg)
	ctx, span := p.tracer.Start(p.parent(ctx, msg), name, opts...)
	metered := p.metrics.SendEnabled(ctx)

	out := newOutgoing(msg)
	defer out.release()
	if !span.IsRecording() && !metered {
		// Nothing to end at the report: hand the user's channel straight
		// through and keep the unsampled path as cheap as raw. A report
		// with no channel comes to the router, never back to
		// confluent-kafka-go with none: with go.delivery.reports=false its
		// event loop would stop handling the rest of that batch of reports,
		// sampled messages' included.
		p.cfg.propagator.Inject(ctx, &out.car)
		span.End()
		if deliveryChan == nil {
			deliveryChan = p.drChan
		}
		return p.Producer.Produce(&out.msg, deliveryChan)
	}
	// Traced or metered: the report comes back to the router, which ends
	// the span (a no-op one when unsampled) and records the metrics.
	f := &inFlight{span: span, opaque: msg.Opaque, deliveryChan: deliveryChan, topic: topic}
	if metered {
		f.start = time.Now()
	}
	p.cfg.propagator.Inject(ctx, &out.car)
	out.msg.Opaque = f
	if !p.pending.add(f) {
		err := p.Producer.Produce(msg, deliveryChan) // closed: confluent's own error
		p.failed(f, errOrClosed(err), msg.TopicPartition.Partition)
		return err
	}
	if err := p.Producer.Produce(&out.msg, p.drChan); err != nil {
		if p.pending.remove(f) {
			p.failed(f, err, msg.TopicPartition.Partition)
		}
		return err
	}
	return nil
}

// outgoing is the copy of a message handed to librdkafka (the user's message
// is never modified), with the carrier that writes its headers. It lives
// only for the Produce call: confluent-kafka-go copies the key, value and
// headers into librdkafka and keeps no reference to the message, so
// outgoing values are pooled, and a message waiting for its delivery report
// holds only its small inFlight, not a copy of itself.
type outgoing struct {
	msg kafka.Message
	car carrier.MessageCarrier
}

var outgoingPool = sync.Pool{New: func() any { return new(outgoing) }}

// newOutgoing returns a pooled copy of msg with its carrier ready.
func newOutgoing(msg *kafka.Message) *outgoing {
	out := outgoingPool.Get().(*outgoing)
	out.msg = *msg
	out.car.Reset(&out.msg)
	return out
}

// release drops out's references to the message and returns it to the pool.
func (out *outgoing) release() {
	out.msg = kafka.Message{}
	out.car.Reset(nil)
	outgoingPool.Put(out)
}

// parent picks the send span's parent: a span in ctx, else the trace context
// in msg's headers (which may be none: a new trace).
func (p *Producer) parent(ctx context.Context, msg *kafka.Message) context.Context {
	if ctx == nil { // a caller's nil ctx: as confluent-kafka-go has none, be lenient
		ctx = context.Background()
	}
	if trace.SpanContextFromContext(ctx).IsValid() {
		return ctx
	}
	return carrier.Extract(ctx, msg, p.cfg.propagator)
}

// failed ends f's span with err and counts the message as not sent.
func (p *Producer) failed(f *inFlight, err error, partition int32) {
	fail(f.span, err)
	if !f.start.IsZero() {
		p.metrics.Sent(context.Background(), f.topic, partition, err, time.Since(f.start))
	}
}

// fail ends span with err as its status and error.type.
func fail(span trace.Span, err error) {
	span.SetStatus(codes.Error, err.Error())
	span.SetAttributes(semconv.ErrorType(err))
	span.End()
}

// finishDelivery ends a send span from its delivery report. scratch holds
// the report's attributes for the SetAttributes call (spans copy what they
// are given), so that the router, its only caller, allocates nothing here.
func finishDelivery(span trace.Span, m *kafka.Message, scratch *[2]attribute.KeyValue) {
	tp := m.TopicPartition
	if tp.Error != nil {
		if tp.Partition >= 0 {
			span.SetAttributes(spanattr.Partition(tp.Partition))
		}
		fail(span, tp.Error)
		return
	}
	scratch[0], scratch[1] = spanattr.Partition(tp.Partition), spanattr.Offset(tp.Offset)
	span.SetAttributes(scratch[:]...)
	*scratch = [2]attribute.KeyValue{}
	span.End()
}

// errClosed is the status of send spans whose report never came because the
// producer was closed first.
var errClosed = kafka.NewError(kafka.ErrState, "producer closed before delivery", false)

func errOrClosed(err error) error {
	if err == nil {
		return errClosed
	}
	return err
}

// Events returns the channel of delivery reports (for messages produced with
// a nil deliveryChan) and other producer events, as kafka.Producer.Events
// does. Reports carry the user's Opaque and arrive after their send span has
// ended.
func (p *Producer) Events() chan kafka.Event {
	return p.events
}

// Len returns the number of messages and requests waiting to be transmitted
// to the broker plus the delivery reports and events queued for the
// application, as kafka.Producer.Len does. A report counts from Produce until
// it is on the user's channel or Events(), including while it passes through
// kafkatrace: the router, which is the only goroutine that moves reports out
// of kafkatrace's queues, does the counting.
func (p *Producer) Len() int {
	r := make(chan int, 1)
	select {
	case p.lenReq <- r:
		return <-r
	case <-p.routerDone:
		return p.count(0)
	}
}

// count is Len given the events the router holds. Each report moves from
// librdkafka (counted by the inner Len until confluent-kafka-go has put it
// on a channel) to drChan or the inner events channel, then, through the
// router, to the user: reading in that order counts it at least once.
func (p *Producer) count(held int) int {
	return p.Producer.Len() + len(p.drChan) + held + len(p.events) + p.pc.len()
}

// Close ends the send span of every message still waiting for its report
// with an error status ("producer closed before delivery"), then closes the
// producer as kafka.Producer.Close does. Like kafka.Producer.Close it does not
// flush: call Flush first. Close is safe to call more than once.
func (p *Producer) Close() {
	p.closeOnce.Do(func() {
		close(p.closing)
		p.pc.stop()
		p.Producer.Close()
		<-p.routerDone
		for _, f := range p.pending.close() {
			p.failed(f, errClosed, kafka.PartitionAny)
		}
		p.metrics.Close()
	})
}
