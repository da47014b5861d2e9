package poller

import (
	"context"

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
	ctx    context.Context // parent of its handlers' ctx; cancelled on revoke
	cancel context.CancelFunc

	// polled holds every polled message not yet below the watermark, in
	// offset order; head is the first live index.
	polled []*work
	head   int
	next   kafka.Offset // the watermark: everything below has finished
	dirty  bool         // next moved since it was last stored

	buffered int  // polled, not started
	running  int  // handlers running
	paused   bool // paused by back-pressure
	revoking bool // being revoked: nothing more starts
	gone     bool // revoked: stragglers only decrement counters
	drained  chan struct{}
}

func newPartition(parent context.Context, key tpKey) *partition {
	ctx, cancel := context.WithCancel(parent)
	return &partition{key: key, ctx: ctx, cancel: cancel, next: kafka.OffsetInvalid}
}

// track records a polled message in offset order.
func (p *partition) track(w *work) {
	if p.head == len(p.polled) {
		// Nothing outstanding: the watermark is just below this message.
		p.next = w.msg.TopicPartition.Offset
	}
	p.polled = append(p.polled, w)
}

// complete marks w finished (or skipped) and advances the watermark over
// every finished message at the front; it reports whether the watermark
// moved.
func (p *partition) complete(w *work) bool {
	w.done = true
	moved := false
	for p.head < len(p.polled) && p.polled[p.head].done {
		p.next = p.polled[p.head].msg.TopicPartition.Offset + 1
		p.polled[p.head] = nil
		p.head++
		moved = true
	}
	if p.head == len(p.polled) {
		p.polled, p.head = p.polled[:0], 0
	} else if p.head > 1024 && p.head > len(p.polled)/2 {
		n := copy(p.polled, p.polled[p.head:])
		clear(p.polled[n:])
		p.polled, p.head = p.polled[:n], 0
	}
	return moved
}

// commitOffset is the offset to store or commit: every polled message below
// it has finished (messages below the first polled one were never ours to
// process). false before anything was polled.
func (p *partition) commitOffset() (kafka.Offset, bool) {
	return p.next, p.next >= 0
}

// doneRunning notes a handler's end and wakes a revoke waiting for it.
func (p *partition) doneRunning() {
	p.running--
	if p.running == 0 && p.drained != nil {
		close(p.drained)
		p.drained = nil
	}
}
