package rdstats

import (
	"cmp"
	"iter"
	"slices"
	"strings"
)

// RealBrokers yields the brokers that are Kafka nodes, in name order: it
// skips the entries librdkafka numbers -1, its bootstrap brokers and logical
// ones such as "GroupCoordinator". A nil s yields nothing.
func (s *Stats) RealBrokers() iter.Seq[Broker] {
	return func(yield func(Broker) bool) {
		if s == nil {
			return
		}
		for _, b := range s.Brokers {
			if b.NodeID == -1 {
				continue
			}
			if !yield(b) {
				return
			}
		}
	}
}

// Partitions yields every partition with its topic's name, topics in name
// order and each topic's partitions in id order. A nil s yields nothing.
func (s *Stats) Partitions() iter.Seq2[string, Partition] {
	return func(yield func(string, Partition) bool) {
		if s == nil {
			return
		}
		for _, t := range s.Topics {
			for _, p := range t.Partitions {
				if !yield(t.Name, p) {
					return
				}
			}
		}
	}
}

// Topic returns the topic called name, and whether there is one.
func (s *Stats) Topic(name string) (Topic, bool) {
	if s == nil {
		return Topic{}, false
	}
	i, ok := slices.BinarySearchFunc(s.Topics, name, func(t Topic, name string) int {
		return strings.Compare(t.Name, name)
	})
	if !ok {
		return Topic{}, false
	}
	return s.Topics[i], true
}

// Partition returns the partition with the given id, and whether there is one.
func (t Topic) Partition(id int32) (Partition, bool) {
	i, ok := slices.BinarySearchFunc(t.Partitions, id, func(p Partition, id int32) int {
		return cmp.Compare(p.ID, id)
	})
	if !ok {
		return Partition{}, false
	}
	return t.Partitions[i], true
}
