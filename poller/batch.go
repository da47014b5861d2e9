package poller

import (
	"context"
	"errors"
	"runtime/debug"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// Batches (NewBatch). Each partition keeps its unstarted messages in offset
// order (partition.pending). A message can start when its lane is not held
// by a running batch: a batch holds the lanes (keys, or the partition under
// ByPartition) of the messages it took, so two batches never hold the same
// key of a partition at once, and a lane's messages run in offset order
// within and across batches (a message a *BatchError names is retried
// after its batch, so it may finish after a later message of its key that
// succeeded; commits still never pass it). A batch takes up to BatchSize such messages,
// in offset order, and starts when it is full, when the oldest of them has
// waited BatchWait, or when the buffer is full.
//
// Counting is O(1) per message: partition.eligible counts the pending
// messages whose lane is free, lane.pending a lane's pending messages;
// starting a batch scans the partition's pending messages (O(pending),
// which a hot key holding its lane can make long). The
// polling loop wakes at the earliest partition.due (Poller.nextDue); a
// finished batch frees a slot and lanes, and dispatches every partition.

// pend queues w, a polled message, for a batch. Called with p.mu held.
func (p *Poller) pend(part *partition, w *work, l *lane, now time.Time) {
	w.lane = l
	l.pending++
	part.pending = append(part.pending, w)
	part.buffered++
	p.buffered++
	if !l.running {
		part.eligible++
		if part.due.IsZero() {
			p.setDue(part, w.polled.Add(p.cfg.BatchWait))
		}
		if part.eligible >= p.cfg.BatchSize || p.buffered >= p.cfg.MaxBuffered {
			p.dispatchBatches(part, now)
		}
	}
	p.checkPressure(part)
}

// setDue sets when part's oldest startable message has waited long enough.
func (p *Poller) setDue(part *partition, due time.Time) {
	part.due = due
	if p.nextDue.IsZero() || due.Before(p.nextDue) {
		p.nextDue = due
	}
}

// dispatchBatches starts part's batches while slots are free and a batch is
// full or due. With no free slot it forgets part's due: the next finished
// batch dispatches again. Called with p.mu held.
func (p *Poller) dispatchBatches(part *partition, now time.Time) {
	for part.eligible > 0 && !part.revoking && !p.stopping {
		if p.running >= p.cfg.MaxInFlight {
			part.due = time.Time{}
			return
		}
		if part.eligible < p.cfg.BatchSize && p.buffered < p.cfg.MaxBuffered {
			if part.due.IsZero() {
				p.setDue(part, p.oldestEligible(part).Add(p.cfg.BatchWait))
			}
			if part.due.After(now) {
				return
			}
		}
		p.startBatch(part)
	}
	part.due = time.Time{}
}

// oldestEligible returns when the first startable pending message of part
// was polled; part.eligible must be positive.
func (p *Poller) oldestEligible(part *partition) time.Time {
	for _, w := range part.pending {
		if !w.lane.running {
			return w.polled
		}
	}
	return time.Time{}
}

// dispatchAll dispatches every partition and recomputes nextDue. Called with
// p.mu held, after a batch finished and when nextDue has passed.
func (p *Poller) dispatchAll(now time.Time) {
	p.nextDue = time.Time{}
	for _, part := range p.parts {
		if part.eligible == 0 {
			continue
		}
		part.due = time.Time{}
		p.dispatchBatches(part, now)
		if !part.due.IsZero() && (p.nextDue.IsZero() || part.due.Before(p.nextDue)) {
			p.nextDue = part.due
		}
	}
}

// batchTimeout shortens the Poll timeout ms to wake at nextDue, dispatching
// what is due already. It runs on the polling goroutine.
func (p *Poller) batchTimeout(ms int) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.nextDue.IsZero() {
		return ms
	}
	now := time.Now()
	if !now.Before(p.nextDue) {
		p.dispatchAll(now)
		if p.nextDue.IsZero() {
			return ms
		}
	}
	wait := int((p.nextDue.Sub(now) + time.Millisecond - 1) / time.Millisecond)
	return max(min(ms, wait), 0)
}

// startBatch takes up to BatchSize startable messages of part, in offset
// order, holds their lanes and runs the batch in a goroutine of its own.
// Called with p.mu held and part.eligible > 0.
func (p *Poller) startBatch(part *partition) {
	ws := make([]*work, 0, min(p.cfg.BatchSize, part.eligible))
	keep := part.pending[:0]
	for _, w := range part.pending {
		if len(ws) < p.cfg.BatchSize && !w.lane.running {
			ws = append(ws, w)
			continue
		}
		keep = append(keep, w)
	}
	clear(part.pending[len(keep):])
	part.pending = keep
	for _, w := range ws {
		w.lane.pending--
	}
	part.eligible -= len(ws)
	for _, w := range ws {
		if !w.lane.running {
			w.lane.running = true
			part.eligible -= w.lane.pending // its later messages wait for this batch
		}
	}
	part.due = time.Time{}
	part.buffered -= len(ws)
	p.buffered -= len(ws)
	part.running++
	p.running++
	p.maxRunning = max(p.maxRunning, p.running)
	go p.processBatch(ws, part.handlerCtx(p.base))
}

// failedWork is a batch message that failed, with its error.
type failedWork struct {
	w   *work
	err error
}

// processBatch runs the batch handler with retries (only the failed
// messages are retried when the handler names them with a *BatchError),
// applies the failure policy to the messages that failed every attempt, and
// reports the result.
func (p *Poller) processBatch(ws []*work, parent context.Context) {
	msgs := make([]*kafka.Message, len(ws))
	polled := make([]time.Time, len(ws))
	for i, w := range ws {
		msgs[i], polled[i] = w.msg, w.polled
	}
	ctx, obs := parent, Observer(nopObserver{})
	if h, ok := p.cfg.Hook.(BatchHook); ok {
		ctx, obs = h.BeginBatch(parent, msgs, polled)
	}
	res := Result{}
	todo := make([]failedWork, len(ws))
	for i, w := range ws {
		todo[i].w = w
	}
	var stopAt *failedWork // the first message that failed for good
	for {
		if err := ctx.Err(); err != nil {
			if res.Err == nil {
				res.Err = err
			}
			res.Abandoned = true
			for i := range todo {
				todo[i].err = err
			}
			break
		}
		res.Attempts++
		batch := msgs
		if len(todo) < len(ws) {
			batch = make([]*kafka.Message, len(todo))
			for i, f := range todo {
				batch[i] = f.w.msg
			}
		}
		res.Err = p.callBatch(ctx, batch)
		if res.Err == nil {
			todo = nil
			break
		}
		todo = narrow(todo, res.Err)
		obs.Failed(res.Attempts, res.Err)
		if ctx.Err() != nil {
			continue // abandoned, not exhausted
		}
		if res.Attempts >= p.cfg.Attempts {
			stopAt = p.batchExhausted(ctx, todo, &res)
			break
		}
		wait(ctx, p.cfg.Backoff(res.Attempts))
	}
	res.Failed = len(todo)
	obs.End(res)
	p.finishBatch(ws, todo, stopAt, res)
}

// narrow returns the messages of todo that err names as failed, with their
// errors: all of them unless err is a *BatchError naming some.
func narrow(todo []failedWork, err error) []failedWork {
	var be *BatchError
	if errors.As(err, &be) {
		var out []failedWork
		for i, f := range todo {
			if ferr, ok := be.Failed[i]; ok {
				if ferr == nil {
					ferr = err
				}
				out = append(out, failedWork{f.w, ferr})
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	for i := range todo {
		todo[i].err = err
	}
	return todo
}

// batchExhausted applies the failure policy to the messages that failed
// every attempt. Dead-lettered and skipped messages leave todo (their err is
// cleared); it returns the first that failed for good, if any.
func (p *Poller) batchExhausted(ctx context.Context, todo []failedWork, res *Result) *failedWork {
	switch p.cfg.OnFailure {
	case SkipOnFailure:
		res.Skipped = true
		for i := range todo {
			todo[i].err = nil
		}
		return nil
	case DeadLetterOnFailure:
		for i := range todo {
			f := &todo[i]
			r := Result{Err: f.err, Attempts: res.Attempts}
			if p.cfg.DeadLetter == nil {
				res.DeadLetterErr = errNoDeadLetter
				return f
			}
			err := p.deadLetter(ctx, f.w.msg, r)
			switch {
			case err == nil:
				f.err = nil
			case ctx.Err() != nil:
				res.Abandoned = true // the rest are redelivered
				return nil
			default:
				res.DeadLetterErr = err
				return f
			}
		}
		res.DeadLettered = true
		return nil
	}
	return &todo[0]
}

// callBatch runs the batch handler, turning a panic into a *PanicError.
func (p *Poller) callBatch(ctx context.Context, msgs []*kafka.Message) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Value: r, Stack: debug.Stack()}
		}
	}()
	return p.batchFn(ctx, msgs)
}

// finishBatch records a batch's result: every message that succeeded, was
// skipped or dead-lettered finishes; stopAt, if any, stops Run; the batch's
// lanes are freed and every partition dispatched.
func (p *Poller) finishBatch(ws []*work, todo []failedWork, stopAt *failedWork, res Result) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.running--
	part := ws[0].part
	part.doneRunning()
	if !part.gone {
		failed := make(map[*work]bool, len(todo))
		for _, f := range todo {
			if f.err != nil { // failed for good, or abandoned
				failed[f.w] = true
			}
		}
		for _, w := range ws {
			if !failed[w] {
				part.complete(w)
			}
		}
		p.markDirty(part)
		if stopAt != nil && !res.Abandoned {
			r := res
			r.Err = stopAt.err
			p.failLocked(stopAt.w.msg, r)
		}
	}
	for _, w := range ws {
		l := w.lane
		if !l.running {
			continue
		}
		l.running = false
		if !part.revoking {
			part.eligible += l.pending
		}
		if l.pending == 0 && l.key != (laneKey{}) && p.lanes[l.key] == l {
			delete(p.lanes, l.key)
		}
	}
	p.dispatchAll(time.Now())
	p.settledLocked(part)
}
