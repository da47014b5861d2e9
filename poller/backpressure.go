package poller

import "github.com/confluentinc/confluent-kafka-go/v2/kafka"

// backpressure pauses every partition with a backlog once MaxBuffered
// messages wait to start, and resumes them all once fewer than half do.
// Runs on the polling goroutine.
func (p *Poller) backpressure() {
	p.mu.Lock()
	var pause, resume []kafka.TopicPartition
	switch {
	case p.buffered >= p.cfg.MaxBuffered:
		for _, part := range p.parts {
			if !part.paused && part.buffered > 0 && !part.gone {
				part.paused = true
				p.paused++
				pause = append(pause, part.key.topicPartition(kafka.OffsetInvalid))
			}
		}
	case p.paused > 0 && p.buffered <= p.cfg.MaxBuffered/2:
		resume = p.unpauseLocked(nil)
	}
	p.mu.Unlock()
	if len(pause) > 0 {
		if err := p.src.Pause(pause); err != nil {
			p.reportErr(err)
		}
	}
	p.resume(resume)
}

// unpauseLocked marks paused partitions (all, or those in only) unpaused and
// returns them. Called with p.mu held.
func (p *Poller) unpauseLocked(only []*partition) []kafka.TopicPartition {
	var out []kafka.TopicPartition
	mark := func(part *partition) {
		if part.paused {
			part.paused = false
			p.paused--
			out = append(out, part.key.topicPartition(kafka.OffsetInvalid))
		}
	}
	if only != nil {
		for _, part := range only {
			mark(part)
		}
		return out
	}
	for _, part := range p.parts {
		mark(part)
	}
	return out
}

func (p *Poller) resume(tps []kafka.TopicPartition) {
	if len(tps) == 0 {
		return
	}
	if err := p.src.Resume(tps); err != nil {
		p.reportErr(err)
	}
}
