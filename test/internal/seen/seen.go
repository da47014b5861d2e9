// Package seen records which offsets of one partition a test's handlers
// finished, for the tests of poller and interceptor.
package seen

import (
	"sync"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// Offsets counts how many times each offset was handled; safe for
// concurrent use.
type Offsets struct {
	mu   sync.Mutex
	done map[kafka.Offset]int
}

// New returns an empty record.
func New() *Offsets { return &Offsets{done: map[kafka.Offset]int{}} }

// Add records o as handled once more.
func (s *Offsets) Add(o kafka.Offset) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.done[o]++
}

// Times is how many times o was handled.
func (s *Offsets) Times(o kafka.Offset) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.done[o]
}

// MissingBelow lists the offsets under end never handled.
func (s *Offsets) MissingBelow(end kafka.Offset) []kafka.Offset {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []kafka.Offset
	for o := kafka.Offset(0); o < end; o++ {
		if s.done[o] == 0 {
			out = append(out, o)
		}
	}
	return out
}
