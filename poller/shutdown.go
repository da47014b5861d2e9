package poller

import (
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
	var offs []kafka.TopicPartition
	for _, part := range p.parts {
		part.gone = true
		if tp, ok := part.commitOffset(); ok {
			offs = append(offs, tp)
		}
	}
	resume := p.unpauseLocked(nil)
	p.mu.Unlock()
	p.commit(offs)
	p.resume(resume)

	p.mu.Lock()
	defer p.mu.Unlock()
	if p.failure != nil {
		return p.failure
	}
	return nil
}
