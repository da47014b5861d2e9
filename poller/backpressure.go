package poller

import "github.com/confluentinc/confluent-kafka-go/v2/kafka"

// Back-pressure works in two steps. When MaxBuffered messages wait to start,
// the polling loop stops fetching more and waits for a handler to make room
// (polling without blocking, to serve rebalance callbacks): fast handlers
// never cause a pause, which would purge librdkafka's prefetched messages
// and cost a refetch. Then two triggers, each with hysteresis, pause
// partitions:
//
//   - the poller-wide buffer: when it has stayed full for pauseAfter
//     (handlers are not keeping up at all), every assigned partition is
//     paused, and all resume together once no more than half of MaxBuffered
//     wait. Pausing them all is what makes it fair: no busy partition can
//     keep the buffer full while another waits, so a paused partition
//     resumes after at most MaxBuffered/2 handler completions;
//   - a partition's window: when it spans MaxWindow offsets (a slow message
//     holding the watermark while later ones finish), that partition is
//     paused until the window is back under half.
//
// The buffer bound is soft: while the buffer is full the loop still polls
// (without blocking) about every PollTimeout to serve rebalance callbacks,
// and a message such a poll returns is kept, never dropped. Before the
// pause that is at most pauseAfter/PollTimeout messages (10 with the
// defaults), plus one for each partition whose first message arrives while
// the others are paused, so the buffer holds at most MaxBuffered + 10 +
// (partitions assigned during the pause).
//
// A handler that never returns therefore stalls its own partition once the
// window or the buffer fills (as a sequential consumer would at once), but
// never makes memory grow without bound.

// backpressure applies both triggers. It runs on the polling goroutine after
// every Poll and only scans partitions when a trigger may have changed.
func (p *Poller) backpressure() {
	p.mu.Lock()
	if !p.bpCheck {
		p.mu.Unlock()
		return
	}
	p.bpCheck = false
	switch {
	case p.throttleNow && !p.throttled:
		p.throttled = true
	case p.throttled && p.buffered <= p.cfg.MaxBuffered/2:
		p.throttled, p.throttleNow = false, false
	}
	var pause, resume []kafka.TopicPartition
	for _, part := range p.parts {
		switch w := part.window(); {
		case w >= MaxWindow:
			part.windowFull = true
		case w <= MaxWindow/2:
			part.windowFull = false
		}
		want := (p.throttled || part.windowFull) && !part.gone
		if want == part.paused {
			continue
		}
		part.paused = want
		tp := part.key.topicPartition(kafka.OffsetInvalid)
		if want {
			p.paused++
			pause = append(pause, tp)
		} else {
			p.paused--
			resume = append(resume, tp)
		}
	}
	p.mu.Unlock()
	if len(pause) > 0 {
		if err := p.src.Pause(pause); err != nil {
			p.reportErr("pause", err)
		}
	}
	p.resume(resume)
}

// throttle asks backpressure to pause the partitions with a backlog: the
// buffer has stayed full for pauseAfter.
func (p *Poller) throttle() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.throttled {
		p.throttleNow, p.bpCheck = true, true
	}
}

// checkPressure notes that a trigger may have changed: the buffer drained
// enough to lift throttling, or part's window crossed a threshold. Called
// with p.mu held.
func (p *Poller) checkPressure(part *partition) {
	if p.throttled && p.buffered <= p.cfg.MaxBuffered/2 {
		p.bpCheck = true
	}
	if part != nil {
		w := part.window()
		if w >= MaxWindow || (part.windowFull && w <= MaxWindow/2) {
			p.bpCheck = true
		}
	}
}

// unpauseLocked marks the given paused partitions (all when only is nil)
// unpaused and returns them. Called with p.mu held.
func (p *Poller) unpauseLocked(only []*partition) []kafka.TopicPartition {
	var out []kafka.TopicPartition
	mark := func(part *partition) {
		part.windowFull = false
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
		p.reportErr("resume", err)
	}
}
