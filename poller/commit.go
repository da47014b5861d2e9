package poller

import (
	"errors"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// Periodic commits, for consumers with enable.auto.commit=false: without
// them, finished work is committed only on revoke and shutdown, and a crash
// redoes everything since the last rebalance.

// commitFinished commits the offset and finished-offsets record of every
// partition whose record changed since its last commit (Config.CommitInterval).
// It runs on the polling goroutine; an asynchronous commit is sent from a
// goroutine of its own, one at a time: while one is in flight, the next
// interval's commit is skipped, and revoke and shutdown wait for it (see
// waitCommit), so commits never overtake one another.
func (p *Poller) commitFinished() {
	p.mu.Lock()
	if p.committing != nil {
		p.mu.Unlock()
		return
	}
	var offs []kafka.TopicPartition
	var parts []*partition
	for _, part := range p.parts {
		if part.gone || part.revoking {
			continue
		}
		tp, ok := part.commitOffset()
		if !ok || (tp.Offset == part.committed && *tp.Metadata == part.committedMD) {
			continue
		}
		part.committed, part.committedMD = tp.Offset, *tp.Metadata
		offs = append(offs, tp)
		parts = append(parts, part)
	}
	if len(offs) == 0 {
		p.mu.Unlock()
		return
	}
	if p.cfg.SyncCommit {
		p.mu.Unlock()
		p.commitOnly(offs, parts)
		return
	}
	done := make(chan struct{})
	p.committing = done
	p.mu.Unlock()
	go func() {
		defer close(done)
		p.commitOnly(offs, parts)
		p.mu.Lock()
		p.committing = nil
		p.mu.Unlock()
	}()
}

// commitOnly commits offs (already stored, or about to be: the commit
// carries them explicitly). A failure, of the call or of some partitions,
// is reported and leaves the failed partitions to be committed again at the
// next interval.
func (p *Poller) commitOnly(offs []kafka.TopicPartition, parts []*partition) {
	failed, whole := commitResult(p.src.CommitOffsets(offs))
	if whole == nil && len(failed) == 0 {
		return
	}
	p.mu.Lock()
	for i, part := range parts {
		if whole != nil || failed[keyOf(offs[i])] != nil {
			part.committed, part.committedMD = kafka.OffsetInvalid, ""
		}
	}
	p.mu.Unlock()
	p.reportCommit(failed, whole)
}

// commitResult sorts a CommitOffsets answer. whole is the call's error, nil
// when it succeeded or had nothing new to commit (ErrNoOffset). librdkafka
// fails the call only when every partition failed; otherwise the call
// succeeds and the partitions it refused carry their own error, returned in
// failed (ErrNoOffset again excepted).
func commitResult(res []kafka.TopicPartition, err error) (failed map[tpKey]error, whole error) {
	if err != nil {
		if nothingToCommit(err) {
			return nil, nil
		}
		return nil, err
	}
	for _, tp := range res {
		if tp.Error == nil || nothingToCommit(tp.Error) {
			continue
		}
		if failed == nil {
			failed = map[tpKey]error{}
		}
		failed[keyOf(tp)] = tp.Error
	}
	return failed, nil
}

// nothingToCommit reports whether err is librdkafka's "no offset to commit".
func nothingToCommit(err error) bool {
	var kerr kafka.Error
	return errors.As(err, &kerr) && kerr.Code() == kafka.ErrNoOffset
}

// reportCommit reports a failed commit: the call's error, or each failed
// partition's, unwrapped, with the partition in AsyncError.Partition.
func (p *Poller) reportCommit(failed map[tpKey]error, whole error) {
	if whole != nil {
		p.reportErr("commit", whole)
		return
	}
	for k, err := range failed {
		topic := k.topic
		p.report(&AsyncError{Op: "commit", Err: err, Partition: &kafka.TopicPartition{Topic: &topic, Partition: k.partition}})
	}
}

// waitCommit waits for the asynchronous commit in flight, if any, so that
// the commit that follows (revoke, shutdown) is not overtaken by an older
// one.
func (p *Poller) waitCommit() {
	p.mu.Lock()
	ch := p.committing
	p.mu.Unlock()
	if ch != nil {
		<-ch
	}
}
