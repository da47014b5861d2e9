package poller

import (
	"context"
	"errors"
	"runtime/debug"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// work is one polled message.
type work struct {
	msg    *kafka.Message // released once done
	off    kafka.Offset
	part   *partition
	lane   *lane
	polled time.Time
	done   bool // finished or skipped: counts toward the watermark
	older  bool // in partition.older: polled before the position moved back
}

// lane is a FIFO of messages that must run one at a time (same key or same
// partition); under Unordered every message has a lane of its own.
type lane struct {
	key     laneKey
	queue   []*work
	running bool // a handler runs its head; under NewBatch, a batch holds it
	ready   bool // waiting in Poller.ready for a free slot
	pending int  // under NewBatch: its messages in partition.pending
}

type laneKey struct {
	tp  tpKey
	key string
}

// laneFor returns the shared lane msg joins: its partition's under
// ByPartition, its key's under ByKey. Messages with a lane of their own
// (Unordered, nil keys) get it from newWork instead.
func (p *Poller) laneFor(part *partition, msg *kafka.Message) *lane {
	k := laneKey{tp: part.key}
	if p.cfg.Ordering != ByPartition {
		if l, ok := p.lanes[laneKey{part.key, string(msg.Key)}]; ok { // no allocation on lookup
			return l
		}
		k.key = string(msg.Key)
	}
	l, ok := p.lanes[k]
	if !ok {
		l = &lane{key: k}
		p.lanes[k] = l
	}
	return l
}

// soloWork is a message with a lane of its own (Unordered, or a nil key
// under ByKey): one allocation for the message, its lane and the lane's
// queue.
type soloWork struct {
	work work
	lane lane
	one  [1]*work
}

// newWork returns msg's work and, when msg has a lane of its own, that lane
// (nil when it joins a shared one: see laneFor).
func (p *Poller) newWork(part *partition, msg *kafka.Message, now time.Time) (*work, *lane) {
	if p.cfg.Ordering == Unordered || (p.cfg.Ordering == ByKey && msg.Key == nil) {
		s := &soloWork{work: work{msg: msg, off: msg.TopicPartition.Offset, part: part, polled: now}}
		s.lane.queue = s.one[:0]
		return &s.work, &s.lane
	}
	return &work{msg: msg, off: msg.TopicPartition.Offset, part: part, polled: now}, nil
}

// enqueue takes a polled message. Called with p.mu held.
func (p *Poller) enqueue(msg *kafka.Message, now time.Time) {
	part := p.partitionFor(keyOf(msg.TopicPartition))
	w, l := p.newWork(part, msg, now)
	part.track(w)
	if _, ok := part.finished[w.off]; ok {
		// A previous owner finished it; its offset was not committed
		// only because an earlier message had not finished.
		delete(part.finished, w.off)
		part.complete(w)
		p.markDirty(part)
		p.skippedDone++
		return
	}
	if l == nil {
		l = p.laneFor(part, msg)
	}
	if p.batchFn != nil {
		p.pend(part, w, l, now)
		return
	}
	w.lane = l
	l.queue = append(l.queue, w)
	part.buffered++
	p.buffered++
	p.schedule(l)
	p.checkPressure(part)
}

// live reports whether l has messages to run; the queue of a lane whose
// partition is being revoked is dropped (its counts were already taken off).
func (l *lane) live() bool {
	if len(l.queue) > 0 && l.queue[0].part.revoking {
		clear(l.queue)
		l.queue = nil
	}
	return len(l.queue) > 0
}

// schedule starts l's head if a slot is free, else queues l for one.
func (p *Poller) schedule(l *lane) {
	if l.running || l.ready || !l.live() {
		return
	}
	if p.running < p.cfg.MaxInFlight && !p.stopping {
		p.start(l)
		return
	}
	l.ready = true
	p.ready = append(p.ready, l)
}

// start runs l's head message in a goroutine of its own.
func (p *Poller) start(l *lane) {
	w := l.queue[0]
	l.queue[0] = nil
	l.queue = l.queue[1:]
	l.running = true
	w.part.buffered--
	p.buffered--
	w.part.running++
	p.running++
	p.maxRunning = max(p.maxRunning, p.running)
	parent := w.part.handlerCtx(p.base)
	if p.claiming && p.claimed == nil {
		// A handler's goroutine is finishing: it runs this message next
		// instead of a new goroutine being started for it.
		p.claimed, p.claimedCtx = w, parent
		return
	}
	go p.process(w, parent)
}

// fill starts waiting lanes while slots are free.
func (p *Poller) fill() {
	for p.running < p.cfg.MaxInFlight && len(p.ready) > 0 && !p.stopping {
		l := p.ready[0]
		p.ready[0] = nil
		p.ready = p.ready[1:]
		l.ready = false
		if !l.running && l.live() {
			p.start(l)
		}
	}
}

// process runs the handler for w with retries, then reports the result. No
// attempt starts once ctx is cancelled (revoke, shutdown): the message is
// abandoned and redelivered.
//
// The goroutine then runs the message finish hands it, if any: one message
// at a time, each with its own ctx, as if each had a goroutine of its own,
// without the cost of starting one per message.
func (p *Poller) process(w *work, parent context.Context) {
	for w != nil {
		w, parent = p.processOne(w, parent)
	}
}

// processOne runs one message and returns the next one for this goroutine.
func (p *Poller) processOne(w *work, parent context.Context) (*work, context.Context) {
	ctx, obs := p.cfg.Hook.Begin(parent, w.msg, w.polled)
	res := Result{}
	for {
		if err := ctx.Err(); err != nil {
			if res.Err == nil {
				res.Err = err
			}
			res.Abandoned = true
			break
		}
		res.Attempts++
		res.Err = p.call(ctx, w.msg)
		if res.Err == nil {
			break
		}
		obs.Failed(res.Attempts, res.Err)
		if ctx.Err() != nil {
			continue // abandoned, not exhausted
		}
		if res.Attempts >= p.cfg.Attempts {
			p.exhausted(ctx, w.msg, &res)
			break
		}
		wait(ctx, p.cfg.Backoff(res.Attempts))
	}
	obs.End(res)
	return p.finish(w, res)
}

// exhausted applies the failure policy to msg, whose every attempt failed:
// it sets r.Skipped, r.DeadLettered, r.DeadLetterErr, or r.Abandoned when
// ctx was cancelled during the dead-letter produce.
func (p *Poller) exhausted(ctx context.Context, msg *kafka.Message, r *Result) {
	switch p.cfg.OnFailure {
	case SkipOnFailure:
		r.Skipped = true
	case DeadLetterOnFailure:
		if p.cfg.DeadLetter == nil {
			r.DeadLetterErr = errNoDeadLetter
			return
		}
		err := p.deadLetter(ctx, msg, *r)
		switch {
		case err == nil:
			r.DeadLettered = true
		case ctx.Err() != nil:
			r.Abandoned = true // redelivered, and dead-lettered then
		default:
			r.DeadLetterErr = err
		}
	}
}

// deadLetter calls Config.DeadLetter, turning a panic into a *PanicError.
func (p *Poller) deadLetter(ctx context.Context, msg *kafka.Message, r Result) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return p.cfg.DeadLetter(ctx, msg, r)
}

// errNoDeadLetter is the DeadLetterErr of a message failed under
// DeadLetterOnFailure without a Config.DeadLetter.
var errNoDeadLetter = errors.New("kafkatrace: DeadLetterOnFailure without Config.DeadLetter")

// failLocked records the first message that failed for good (StopOnFailure,
// or a failed dead-letter produce) and stops Run. Called with p.mu held.
func (p *Poller) failLocked(msg *kafka.Message, r Result) {
	if p.failure == nil {
		p.failure = &HandlerError{TopicPartition: msg.TopicPartition, Attempts: r.Attempts, Err: r.Err, DeadLetterErr: r.DeadLetterErr}
		p.stopLocked()
	}
}

// call runs the handler, turning a panic into a *PanicError.
func (p *Poller) call(ctx context.Context, msg *kafka.Message) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Value: r, Stack: debug.Stack()}
		}
	}()
	return p.handler(ctx, msg)
}

// finish records w's result: the watermark, the lane's next message, free
// slots, and a stop on an exhausted StopOnFailure failure. It returns the
// first message it started, with its parent ctx, for the calling goroutine
// to run next (nil when none).
func (p *Poller) finish(w *work, res Result) (*work, context.Context) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.claiming = true
	defer func() { p.claiming, p.claimed, p.claimedCtx = false, nil, nil }()
	p.running--
	part := w.part
	part.doneRunning()
	if !part.gone {
		switch {
		case res.Err == nil || res.Skipped || res.DeadLettered:
			part.complete(w)
			p.markDirty(part)
		case !res.Abandoned:
			p.failLocked(w.msg, res)
		}
	}
	w.lane.running = false
	if !w.lane.live() {
		if w.lane.key != (laneKey{}) && p.lanes[w.lane.key] == w.lane {
			delete(p.lanes, w.lane.key)
		}
	} else if len(p.ready) > 0 {
		// Others have waited for a slot longer: queue behind them.
		w.lane.ready = true
		p.ready = append(p.ready, w.lane)
	} else {
		p.schedule(w.lane)
	}
	p.fill()
	p.settledLocked(part)
	return p.claimed, p.claimedCtx
}

// settledLocked follows a handler's (or batch's) end: back-pressure may lift,
// the polling loop may take more, and a shutdown may stop waiting. Called
// with p.mu held.
func (p *Poller) settledLocked(part *partition) {
	p.checkPressure(part)
	if p.buffered < p.cfg.MaxBuffered {
		select {
		case p.room <- struct{}{}:
		default:
		}
	}
	if p.running == 0 && p.idle != nil {
		close(p.idle)
		p.idle = nil
	}
}

// wait waits d, or until ctx is done.
func wait(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
