package poller

import (
	"context"
	"slices"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// tpKey identifies a partition.
type tpKey struct {
	topic     string
	partition int32
}

func keyOf(tp kafka.TopicPartition) tpKey {
	return tpKey{topicOf(tp), tp.Partition}
}

func (k tpKey) topicPartition(offset kafka.Offset) kafka.TopicPartition {
	t := k.topic
	return kafka.TopicPartition{Topic: &t, Partition: k.partition, Offset: offset}
}

// partition is the poller's state for one assigned partition. Guarded by
// Poller.mu.
type partition struct {
	key    tpKey
	ctx    context.Context // parent of its handlers' ctx, made at first start; cancelled on revoke
	cancel context.CancelFunc

	// polled holds every polled message not yet below the watermark, in
	// offset order; head is the first live index.
	polled []*work
	head   int
	next   kafka.Offset // the watermark: every polled message below has finished
	last   kafka.Offset // the newest polled offset
	done   kafka.Offset // the highest offset finished since the last backward move
	// older holds the unfinished messages polled before the position moved
	// backwards (a seek, an offset reset): they still hold the commit
	// offset down until they finish.
	older    []*work
	queued   bool      // in Poller.dirtyParts: the watermark or the finished set changed
	storedAt time.Time // last store

	// committed and committedMD are what the last periodic commit sent
	// (Config.CommitInterval).
	committed   kafka.Offset
	committedMD string

	// pending holds, under NewBatch, the polled messages not yet started,
	// in offset order; due is when the oldest of them that could start
	// has waited BatchWait (zero when none could).
	pending  []*work
	eligible int // messages in pending whose lane no batch holds
	due      time.Time

	// finished holds offsets a previous owner already processed (read from
	// the commit metadata on assignment): they are skipped.
	finished map[kafka.Offset]struct{}

	buffered   int  // polled, not started
	running    int  // handlers running
	paused     bool // what we last told librdkafka
	windowFull bool // paused because the window reached MaxWindow
	revoking   bool // being revoked: nothing more starts
	gone       bool // revoked: stragglers only decrement counters
	drained    chan struct{}
}

func newPartition(key tpKey) *partition {
	return &partition{key: key, next: kafka.OffsetInvalid, last: kafka.OffsetInvalid, done: kafka.OffsetInvalid,
		committed: kafka.OffsetInvalid}
}

// handlerCtx returns the parent ctx of the partition's handlers.
func (p *partition) handlerCtx(base context.Context) context.Context {
	if p.ctx == nil {
		p.ctx, p.cancel = context.WithCancel(base)
	}
	return p.ctx
}

// stop cancels the partition's handlers' ctx.
func (p *partition) stop() {
	if p.cancel != nil {
		p.cancel()
	}
}

// track records a polled message. Offsets normally increase (with gaps for
// compaction and transaction markers); one at or below the newest polled
// offset means the position moved backwards (a seek or an offset reset), and
// the partition's tracking restarts from it: what was polled before and has
// not finished moves to older, where it keeps holding the commit offset.
func (p *partition) track(w *work) {
	if p.last >= 0 && w.off <= p.last {
		p.finished = nil // the previous owner's record no longer applies
		for _, o := range p.polled[p.head:] {
			if !o.done {
				o.older = true
				p.older = append(p.older, o)
			}
		}
		clear(p.polled)
		p.polled, p.head = p.polled[:0], 0
		p.done = kafka.OffsetInvalid
	}
	if p.head == len(p.polled) {
		// Nothing outstanding: the watermark is just below this message.
		p.next = w.off
	}
	p.last = w.off
	p.polled = append(p.polled, w)
}

// complete marks w finished (or skipped), releases its message and advances
// the watermark over every finished message at the front.
func (p *partition) complete(w *work) {
	w.done = true
	w.msg = nil // a stuck message must not keep finished payloads alive
	if w.older {
		p.older = slices.DeleteFunc(p.older, func(o *work) bool { return o.done })
		return
	}
	p.done = max(p.done, w.off)
	for p.head < len(p.polled) && p.polled[p.head].done {
		p.next = p.polled[p.head].off + 1
		p.polled[p.head] = nil
		p.head++
	}
	if p.head == len(p.polled) {
		p.polled, p.head = p.polled[:0], 0
	} else if p.head > 1024 && p.head > len(p.polled)/2 {
		n := copy(p.polled, p.polled[p.head:])
		clear(p.polled[n:])
		p.polled, p.head = p.polled[:n], 0
	}
}

// base is the offset to store or commit: every polled message below it has
// finished (messages below the first polled one were never ours to
// process). Negative before anything was polled.
func (p *partition) base() kafka.Offset {
	b := p.next
	for _, w := range p.older {
		b = min(b, w.off)
	}
	return b
}

// outstanding reports whether a polled message has not finished.
func (p *partition) outstanding() bool {
	return p.head < len(p.polled) || len(p.older) > 0
}

// commitOffset is base with the finished-offsets metadata; false before
// anything was polled.
func (p *partition) commitOffset() (kafka.TopicPartition, bool) {
	b := p.base()
	if b < 0 {
		return kafka.TopicPartition{}, false
	}
	tp := p.key.topicPartition(b)
	md := p.finishedMetadata(b)
	tp.Metadata = &md
	return tp, true
}

// doneRunning notes a handler's end and wakes a revoke waiting for it.
func (p *partition) doneRunning() {
	p.running--
	if p.running == 0 && p.drained != nil {
		close(p.drained)
		p.drained = nil
	}
}
