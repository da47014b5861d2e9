package poller

import (
	"errors"
	"fmt"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// markDirty queues part for the next store. Called with p.mu held.
func (p *Poller) markDirty(part *partition) {
	if !part.dirty {
		part.dirty = true
		p.dirtyParts = append(p.dirtyParts, part)
	}
}

// storeOffsets stores the watermark of every partition that moved since the
// last call. It runs on the polling goroutine only, so stores are never
// reordered.
func (p *Poller) storeOffsets() error {
	p.mu.Lock()
	if len(p.dirtyParts) == 0 {
		p.mu.Unlock()
		return nil
	}
	offs := make([]kafka.TopicPartition, 0, len(p.dirtyParts))
	for i, part := range p.dirtyParts {
		part.dirty = false
		p.dirtyParts[i] = nil
		if !part.gone {
			offs = append(offs, part.key.topicPartition(part.next))
		}
	}
	p.dirtyParts = p.dirtyParts[:0]
	p.mu.Unlock()
	return p.store(offs)
}

// store stores offs. A partition that is no longer assigned (ErrState) is
// benign; a consumer that stores offsets by itself is a configuration error.
func (p *Poller) store(offs []kafka.TopicPartition) error {
	if len(offs) == 0 {
		return nil
	}
	_, err := p.src.StoreOffsets(offs)
	var kerr kafka.Error
	if err == nil || !errors.As(err, &kerr) {
		return err
	}
	switch kerr.Code() {
	case kafka.ErrState, kafka.ErrUnknownPartition:
		return nil
	case kafka.ErrInvalidArg:
		return fmt.Errorf("kafkatrace: StoreOffsets refused: the consumer must run with enable.auto.offset.store=false (interceptor.NewConsumer sets it): %w", err)
	}
	return err
}

// commit stores and synchronously commits offs. Nothing new to commit
// (ErrNoOffset) is not an error; other errors go to OnEvent, since the
// offsets stay stored and auto-commit or a later commit sends them.
func (p *Poller) commit(offs []kafka.TopicPartition) {
	if len(offs) == 0 {
		return
	}
	if err := p.store(offs); err != nil {
		p.reportErr(err)
	}
	_, err := p.src.CommitOffsets(offs)
	var kerr kafka.Error
	if err == nil || (errors.As(err, &kerr) && kerr.Code() == kafka.ErrNoOffset) {
		return
	}
	p.reportErr(err)
}

func (p *Poller) reportErr(err error) {
	var kerr kafka.Error
	if !errors.As(err, &kerr) {
		kerr = kafka.NewError(kafka.ErrFail, err.Error(), false)
	}
	p.event(kerr)
}
