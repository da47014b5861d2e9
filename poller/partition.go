package poller

import (
	"context"
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
	polled   []*work
	head     int
	next     kafka.Offset // the watermark: every polled message below has finished
	last     kafka.Offset // the newest polled offset
	queued   bool         // in Poller.dirtyParts: the watermark or the finished set changed
	storedAt time.Time    // last store

	// finished holds offsets a previous owner already processed (read from
	// the commit metadata on assignment): they are skipped.
	finished map[kafka.Offset]struct{}

	buffered   int  // polled, not started
	running    int  // handlers running
	paused     bool // what we last told librdkafka
	throttled  bool // paused for the poller-wide buffer bound
	windowFull bool // paused because the window reached MaxWindow
	revoking   bool // being revoked: nothing more starts
	gone       bool // revoked: stragglers only decrement counters
	drained    chan struct{}
}

func newPartition(key tpKey) *partition {
	return &partition{key: key, next: kafka.OffsetInvalid, last: kafka.OffsetInvalid}
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

// track records a polled message in offset order.
func (p *partition) track(w *work) {
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

// commitOffset is the offset to store or commit, with the finished-offsets
// metadata: every polled message below the offset has finished (messages
// below the first polled one were never ours to process). false before
// anything was polled.
func (p *partition) commitOffset() (kafka.TopicPartition, bool) {
	if p.next < 0 {
		return kafka.TopicPartition{}, false
	}
	tp := p.key.topicPartition(p.next)
	md := p.finishedMetadata()
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
