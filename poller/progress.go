package poller

import "github.com/confluentinc/confluent-kafka-go/v2/kafka"

// Progress is one partition's state in Run, for health gauges.
type Progress struct {
	Topic     string
	Partition int32
	// Committed is the offset stored for commit: every polled message
	// below it has finished. kafka.OffsetInvalid before anything was polled.
	Committed kafka.Offset
	// Finished is the highest offset whose message has finished, or
	// kafka.OffsetInvalid.
	Finished kafka.Offset
	Paused   bool
}

// Unsettled is how many offsets lie between the committed offset and the
// highest finished one: work a crash would leave to the next owner (which
// skips those the finished-offsets record lists). 0 when none.
func (p Progress) Unsettled() int64 {
	if p.Committed < 0 || p.Finished < p.Committed {
		return 0
	}
	return int64(p.Finished-p.Committed) + 1
}

// Progress returns every assigned partition's state; safe from any
// goroutine. It appends to dst, which may be nil.
func (p *Poller) Progress(dst []Progress) []Progress {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, part := range p.parts {
		dst = append(dst, Progress{
			Topic:     part.key.topic,
			Partition: part.key.partition,
			Committed: part.base(),
			Finished:  part.done,
			Paused:    part.paused,
		})
	}
	return dst
}
