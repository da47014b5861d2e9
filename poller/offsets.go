package poller

import (
	"errors"
	"fmt"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel"
)

// markDirty queues part for the next store. Called with p.mu held.
func (p *Poller) markDirty(part *partition) {
	if !part.queued {
		part.queued = true
		p.dirtyParts = append(p.dirtyParts, part)
	}
}

// metadataInterval is the least time between two stores of a partition
// whose watermark is held by an unfinished message.
const metadataInterval = 20 * time.Millisecond

// storeOffsets stores the watermark of every partition that moved since the
// last call. It runs on the polling goroutine only, so stores are never
// reordered.
func (p *Poller) storeOffsets() error {
	p.mu.Lock()
	if len(p.dirtyParts) == 0 {
		p.mu.Unlock()
		return nil
	}
	now := time.Now()
	offs := make([]kafka.TopicPartition, 0, len(p.dirtyParts))
	keep := p.dirtyParts[:0]
	for _, part := range p.dirtyParts {
		if part.head < len(part.polled) && now.Sub(part.storedAt) < metadataInterval {
			// A gap: the store carries the finished-offsets record,
			// whose encoding costs up to MaxWindow bits. Rate-limit it.
			keep = append(keep, part)
			continue
		}
		part.queued = false
		part.storedAt = now
		if tp, ok := part.commitOffset(); ok && !part.gone {
			offs = append(offs, tp)
		}
	}
	clear(p.dirtyParts[len(keep):])
	p.dirtyParts = keep
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
// (ErrNoOffset) is not an error; other errors, of the call or of some
// partitions, are reported (see reportCommit): the offsets stay stored, and
// auto-commit or a later commit sends them.
func (p *Poller) commit(offs []kafka.TopicPartition) {
	if len(offs) == 0 {
		return
	}
	if err := p.store(offs); err != nil {
		p.reportErr("store", err)
	}
	if failed, whole := commitResult(p.src.CommitOffsets(offs)); whole != nil || len(failed) > 0 {
		p.reportCommit(failed, whole)
	}
}

// reportErr hands an error Run cannot return to Config.OnError, or to
// otel.Handle when that is nil, wrapped in an *AsyncError that keeps err.
func (p *Poller) reportErr(op string, err error) {
	p.report(&AsyncError{Op: op, Err: err})
}

// report hands ae to Config.OnError, or to otel.Handle when that is nil.
func (p *Poller) report(ae *AsyncError) {
	if p.cfg.OnError != nil {
		p.cfg.OnError(ae)
		return
	}
	otel.Handle(ae)
}
