package poller

import (
	"errors"
	"fmt"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// shutdown stops dispatching, waits for running handlers (ShutdownTimeout,
// then cancels their ctx and waits CancelGrace), stores and commits finished
// work and resumes what back-pressure paused.
func (p *Poller) shutdown() error {
	p.mu.Lock()
	p.stopLocked()
	var idle chan struct{}
	if p.running > 0 {
		p.idle = make(chan struct{})
		idle = p.idle
	}
	p.mu.Unlock()

	if idle != nil && !waitAll([]chan struct{}{idle}, p.cfg.ShutdownTimeout) {
		p.cancelBase()
		waitAll([]chan struct{}{idle}, p.cfg.CancelGrace)
	}
	p.cancelBase()

	p.mu.Lock()
	var offs, rewind []kafka.TopicPartition
	for _, part := range p.parts {
		part.gone = true
		if tp, ok := part.commitOffset(); ok {
			offs = append(offs, tp)
			if part.outstanding() {
				rewind = append(rewind, part.key.topicPartition(tp.Offset))
			}
		}
	}
	resume := p.unpauseLocked(nil)
	p.mu.Unlock()
	p.waitCommit()
	p.commit(offs)
	rerr := p.rewind(rewind)
	p.resume(resume)

	p.mu.Lock()
	defer p.mu.Unlock()
	if p.failure != nil {
		if rerr != nil {
			return errors.Join(p.failure, rerr)
		}
		return p.failure
	}
	return rerr
}

// rewind moves each partition whose polled messages did not all finish back
// to its first unfinished message: librdkafka's position is past everything
// Run polled, and a later Run or Poll on the same consumer would otherwise
// start there and commit past the messages Run dropped. A partition no
// longer assigned needs no rewind; any other failure is returned, because
// polling that consumer again would skip messages.
func (p *Poller) rewind(tps []kafka.TopicPartition) error {
	if len(tps) == 0 {
		return nil
	}
	res, err := p.src.SeekPartitions(tps)
	var errs []error
	if err != nil && !benign(err) {
		errs = append(errs, err)
	}
	for _, tp := range res {
		if tp.Error != nil && !benign(tp.Error) {
			errs = append(errs, fmt.Errorf("%s [%d] @ %d: %w", topicOf(tp), tp.Partition, tp.Offset, tp.Error))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrRewind, errors.Join(errs...))
}

// benign reports whether err says the partition is no longer assigned.
func benign(err error) bool {
	var kerr kafka.Error
	return errors.As(err, &kerr) && (kerr.Code() == kafka.ErrState || kerr.Code() == kafka.ErrUnknownPartition)
}
