package poller_test

import (
	"sync"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// fakeSource is an in-memory Source: tests push events, the poller polls
// them; stores, commits, pauses and resumes are recorded. Like librdkafka, a
// paused partition delivers nothing and resumes where it stopped, in offset
// order.
type fakeSource struct {
	notify chan struct{} // signalled when something may be pollable

	mu        sync.Mutex
	queues    map[int32][]*kafka.Message // what is left to deliver, per partition
	log       map[int32][]*kafka.Message // everything pushed, for SeekPartitions
	endless   map[int32]int64            // partitions that deliver forever: the next offset
	seeks     []kafka.TopicPartition
	seeked    map[int32]bool // a seek since the last store: a lower store is legitimate
	stores    map[int32]int  // StoreOffsets calls that included the partition
	order     []int32        // partitions in first-push order, for round-robin
	rr        int
	other     []kafka.Event // non-message events, delivered first
	stored    map[int32]kafka.Offset
	committed map[int32]kafka.TopicPartition // with metadata
	paused    map[int32]bool
	pauses    int
	resumes   int
	storeErr  error
	commitErr error
	// refused partitions fail alone: CommitOffsets succeeds and returns
	// their error on their TopicPartition, as librdkafka does when some
	// partitions of a commit fail and others do not.
	refused map[int32]error
}

func newFake() *fakeSource {
	return &fakeSource{
		notify:    make(chan struct{}, 1),
		queues:    map[int32][]*kafka.Message{},
		log:       map[int32][]*kafka.Message{},
		endless:   map[int32]int64{},
		seeked:    map[int32]bool{},
		stores:    map[int32]int{},
		stored:    map[int32]kafka.Offset{},
		committed: map[int32]kafka.TopicPartition{},
		paused:    map[int32]bool{},
	}
}

const topic = "t"

func msg(partition int32, offset int64, key string) *kafka.Message {
	t := topic
	m := &kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &t, Partition: partition, Offset: kafka.Offset(offset)}}
	if key != "" {
		m.Key = []byte(key)
	}
	return m
}

// push queues events; a nil event is a poll round that returns nothing.
func (f *fakeSource) push(evs ...kafka.Event) {
	f.mu.Lock()
	for _, e := range evs {
		if m, ok := e.(*kafka.Message); ok {
			p := m.TopicPartition.Partition
			if _, seen := f.queues[p]; !seen {
				f.order = append(f.order, p)
			}
			f.queues[p] = append(f.queues[p], m)
			f.log[p] = append(f.log[p], m)
		} else if e != nil {
			f.other = append(f.other, e)
		}
	}
	f.mu.Unlock()
	f.wake()
}

func (f *fakeSource) wake() {
	select {
	case f.notify <- struct{}{}:
	default:
	}
}

// next pops the next deliverable event, round-robin over unpaused partitions.
func (f *fakeSource) next() kafka.Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.other) > 0 {
		e := f.other[0]
		f.other = f.other[1:]
		return e
	}
	for i := 0; i < len(f.order); i++ {
		p := f.order[(f.rr+i)%len(f.order)]
		if f.paused[p] {
			continue
		}
		if q := f.queues[p]; len(q) > 0 {
			f.queues[p] = q[1:]
			f.rr = (f.rr + i + 1) % len(f.order)
			return q[0]
		}
		if o, ok := f.endless[p]; ok {
			f.endless[p] = o + 1
			f.rr = (f.rr + i + 1) % len(f.order)
			return msg(p, o, "")
		}
	}
	return nil
}

// endlessly makes partition p deliver a new message on every turn, from
// offset from on, until stopEndless.
func (f *fakeSource) endlessly(p int32, from int64) {
	f.mu.Lock()
	if _, seen := f.queues[p]; !seen {
		f.queues[p] = nil
		f.order = append(f.order, p)
	}
	f.endless[p] = from
	f.mu.Unlock()
	f.wake()
}

func (f *fakeSource) stopEndless(p int32) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.endless, p)
}

func (f *fakeSource) Poll(timeoutMs int) kafka.Event {
	t := time.NewTimer(time.Duration(timeoutMs) * time.Millisecond)
	defer t.Stop()
	for {
		if e := f.next(); e != nil {
			f.wake() // there may be more
			return e
		}
		select {
		case <-f.notify:
		case <-t.C:
			return nil
		}
	}
}

func (f *fakeSource) Pause(tps []kafka.TopicPartition) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, tp := range tps {
		f.paused[tp.Partition] = true
	}
	f.pauses++
	return nil
}

func (f *fakeSource) Resume(tps []kafka.TopicPartition) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, tp := range tps {
		f.paused[tp.Partition] = false
	}
	f.resumes++
	f.wake()
	return nil
}

func (f *fakeSource) StoreOffsets(offs []kafka.TopicPartition) ([]kafka.TopicPartition, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.storeErr != nil {
		return nil, f.storeErr
	}
	for _, o := range offs {
		if prev, ok := f.stored[o.Partition]; ok && o.Offset < prev && !f.seeked[o.Partition] {
			panic("stored offset went backwards")
		}
		f.seeked[o.Partition] = false
		f.stores[o.Partition]++
		f.stored[o.Partition] = o.Offset
	}
	return offs, nil
}

func (f *fakeSource) CommitOffsets(offs []kafka.TopicPartition) ([]kafka.TopicPartition, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.commitErr != nil {
		return nil, f.commitErr
	}
	out := make([]kafka.TopicPartition, len(offs))
	for i, o := range offs {
		out[i] = o
		if err := f.refused[o.Partition]; err != nil {
			out[i].Error = err
			continue
		}
		f.committed[o.Partition] = o
	}
	return out, nil
}

func (f *fakeSource) Committed(tps []kafka.TopicPartition, _ int) ([]kafka.TopicPartition, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]kafka.TopicPartition, len(tps))
	for i, tp := range tps {
		out[i] = tp
		out[i].Offset = kafka.OffsetInvalid
		if c, ok := f.committed[tp.Partition]; ok {
			out[i].Offset, out[i].Metadata = c.Offset, c.Metadata
		}
	}
	return out, nil
}

// SeekPartitions repositions each partition at the first pushed message at or
// above the offset, as librdkafka does (prefetched messages of the old
// position are discarded).
func (f *fakeSource) SeekPartitions(tps []kafka.TopicPartition) ([]kafka.TopicPartition, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, tp := range tps {
		f.seekLocked(tp.Partition, tp.Offset, kafka.OffsetEnd)
	}
	f.wake()
	return tps, nil
}

// seekUpTo repositions partition p at offset from, delivering only what was
// pushed below upto (as if the rest had not been fetched yet).
func (f *fakeSource) seekUpTo(p int32, from, upto kafka.Offset) {
	f.mu.Lock()
	f.seekLocked(p, from, upto)
	f.mu.Unlock()
	f.wake()
}

func (f *fakeSource) seekLocked(p int32, from, upto kafka.Offset) {
	f.seeks = append(f.seeks, msg(p, int64(from), "").TopicPartition)
	f.seeked[p] = true
	var q []*kafka.Message
	for _, m := range f.log[p] {
		if o := m.TopicPartition.Offset; o >= from && (upto == kafka.OffsetEnd || o < upto) {
			q = append(q, m)
		}
	}
	f.queues[p] = q
}

func (f *fakeSource) storeCalls(p int32) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stores[p]
}

// Assignment is every partition pushed to.
func (f *fakeSource) Assignment() ([]kafka.TopicPartition, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]kafka.TopicPartition, 0, len(f.order))
	for _, p := range f.order {
		out = append(out, msg(p, int64(kafka.OffsetInvalid), "").TopicPartition)
	}
	return out, nil
}

func (f *fakeSource) storedAt(p int32) (kafka.Offset, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.stored[p]
	return o, ok
}

func (f *fakeSource) committedAt(p int32) (kafka.Offset, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.committed[p]
	return o.Offset, ok
}
