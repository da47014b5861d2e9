package poller

import (
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// committedTimeoutMs bounds the Committed request made on assignment.
const committedTimeoutMs = 10000

// Assigned tells the poller that partitions were assigned. It reads their
// committed offsets and metadata, so that messages a previous owner already
// finished are skipped, and resumes them, because librdkafka keeps a
// partition's pause state across rebalances and a partition paused before an
// earlier revoke would otherwise never deliver. Call it from the rebalance
// callback.
func (p *Poller) Assigned(parts []kafka.TopicPartition) {
	p.resume(p.loadFinished(parts))
}

// loadFinished reads the committed finished-offsets records of parts and
// returns parts without their offsets.
func (p *Poller) loadFinished(parts []kafka.TopicPartition) []kafka.TopicPartition {
	if len(parts) == 0 {
		return nil
	}
	tps := make([]kafka.TopicPartition, len(parts))
	for i, tp := range parts {
		tps[i] = keyOf(tp).topicPartition(kafka.OffsetInvalid)
	}
	committed, err := p.src.Committed(tps, committedTimeoutMs)
	if err != nil {
		// Not fatal: without the record, finished work is processed again.
		p.reportErr("committed", err)
	}
	p.mu.Lock()
	for _, c := range committed {
		if done := parseFinished(c.Offset, c.Metadata); len(done) > 0 {
			p.partitionFor(keyOf(c)).finished = done
		}
	}
	p.mu.Unlock()
	return tps
}

// Revoked tells the poller that partitions are being revoked, and returns
// once it is safe to let them go: their unstarted messages are dropped,
// their running handlers have finished (or RevokeTimeout passed, their ctx
// was cancelled and CancelGrace passed), and the offsets of finished work
// are stored and committed. lost (the assignment was lost, so another member
// may own the partitions already) cancels handlers at once and commits
// nothing. Call it from the rebalance callback, before the partitions are
// unassigned.
func (p *Poller) Revoked(parts []kafka.TopicPartition, lost bool) {
	p.mu.Lock()
	var revoked []*partition
	var waits []chan struct{}
	for _, tp := range parts {
		part, ok := p.parts[keyOf(tp)]
		if !ok {
			continue
		}
		delete(p.parts, part.key)
		p.dropLocked(part)
		if part.running > 0 {
			part.drained = make(chan struct{})
			waits = append(waits, part.drained)
		}
		revoked = append(revoked, part)
	}
	p.mu.Unlock()
	if len(revoked) == 0 {
		return
	}

	if lost {
		p.cancelAll(revoked)
	}
	if !waitAll(waits, p.cfg.RevokeTimeout) {
		p.cancelAll(revoked)
		waitAll(waits, p.cfg.CancelGrace)
	}

	p.mu.Lock()
	var offs []kafka.TopicPartition
	for _, part := range revoked {
		part.gone = true // stragglers past the grace no longer move offsets
		part.stop()
		if tp, ok := part.commitOffset(); ok {
			offs = append(offs, tp)
		}
	}
	resume := p.unpauseLocked(revoked)
	p.mu.Unlock()
	if !lost {
		p.waitCommit()
		p.commit(offs)
	}
	p.resume(resume)
}

// dropLocked stops dispatching part: its unstarted messages are dropped
// (they are redelivered to the partition's next owner) and its lanes
// forgotten. Called with p.mu held.
func (p *Poller) dropLocked(part *partition) {
	part.revoking = true
	p.buffered -= part.buffered
	part.buffered = 0
	for _, w := range part.pending {
		w.lane.pending--
	}
	clear(part.pending)
	part.pending, part.eligible, part.due = nil, 0, time.Time{}
	p.checkPressure(nil)
	for k := range p.lanes {
		if k.tp == part.key {
			delete(p.lanes, k)
		}
	}
}

func (p *Poller) cancelAll(parts []*partition) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, part := range parts {
		part.stop()
	}
}

// waitAll waits for every channel to close, for at most d; it reports
// whether all closed.
func waitAll(chans []chan struct{}, d time.Duration) bool {
	if len(chans) == 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	for _, ch := range chans {
		select {
		case <-ch:
		case <-t.C:
			return false
		}
	}
	return true
}
