package interceptor

import (
	"sync"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel/trace"
)

// inFlight is what a traced message carries in Opaque between Produce and its
// delivery report: the send span and what the user gave us. It is also a node
// of the producer's pendingSet, so Close can end spans whose reports never
// come.
type inFlight struct {
	span         trace.Span
	opaque       any              // the user's Opaque, given back on the report
	deliveryChan chan kafka.Event // the user's deliveryChan; nil means Events()
	start        time.Time        // when Produce took it, for the send duration; zero: metrics off
	topic        string

	prev, next *inFlight
}

// pendingSet is an intrusive list of messages waiting for their delivery
// report. Insert and remove are O(1) and allocation-free.
type pendingSet struct {
	mu     sync.Mutex
	head   inFlight // sentinel
	n      int
	closed bool
}

func (s *pendingSet) init() { s.head.next, s.head.prev = &s.head, &s.head }

// add tracks f; it reports false once the set has been closed.
func (s *pendingSet) add(f *inFlight) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	f.prev, f.next = s.head.prev, &s.head
	s.head.prev.next = f
	s.head.prev = f
	s.n++
	return true
}

// remove stops tracking f and reports whether it was still tracked (false when
// Close already ended its span).
func (s *pendingSet) remove(f *inFlight) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.next == nil {
		return false
	}
	f.prev.next, f.next.prev = f.next, f.prev
	f.prev, f.next = nil, nil
	s.n--
	return true
}

// close refuses further adds and returns everything still tracked.
func (s *pendingSet) close() []*inFlight {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	out := make([]*inFlight, 0, s.n)
	for f := s.head.next; f != &s.head; {
		next := f.next
		f.prev, f.next = nil, nil
		out = append(out, f)
		f = next
	}
	s.n = 0
	s.head.next, s.head.prev = &s.head, &s.head
	return out
}
