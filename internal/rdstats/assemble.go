package rdstats

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// uaPartition is the id of librdkafka's internal UA (unassigned) partition,
// which Parse leaves out.
const uaPartition = -1

// builder collects the partitions of every topic in one backing array as
// the decoder meets them; topics then sorts and slices it.
type builder struct {
	parts []Partition
	spans []topicSpan
}

// topicSpan is one topic's partitions: parts[start:end].
type topicSpan struct {
	name       string
	start, end int
}

// reset drops everything, for a repeated topics member.
func (b *builder) reset() { b.parts, b.spans = b.parts[:0], b.spans[:0] }

// startTopic begins the next topic; its partitions follow.
func (b *builder) startTopic(name string) {
	b.spans = append(b.spans, topicSpan{name: name, start: len(b.parts), end: len(b.parts)})
}

// resetTopic drops the current topic's partitions, for a repeated
// partitions member.
func (b *builder) resetTopic() {
	t := &b.spans[len(b.spans)-1]
	b.parts, t.end = b.parts[:t.start], t.start
}

// add appends a partition to the current topic.
func (b *builder) add(p Partition) {
	b.parts = append(b.parts, p)
	b.spans[len(b.spans)-1].end = len(b.parts)
}

// topics returns the topics sorted by name and their partitions sorted by
// id; of entries with the same key, the last one read counts.
func (b *builder) topics() []Topic {
	if len(b.spans) == 0 {
		return nil
	}
	spans := b.spans
	slices.SortStableFunc(spans, func(x, y topicSpan) int { return strings.Compare(x.name, y.name) })
	spans = keepLast(spans, func(x, y topicSpan) bool { return x.name == y.name })
	out := make([]Topic, len(spans))
	for i, sp := range spans {
		ps := b.parts[sp.start:sp.end:sp.end]
		byID := func(x, y Partition) int { return cmp.Compare(x.ID, y.ID) }
		if !slices.IsSortedFunc(ps, byID) {
			slices.SortStableFunc(ps, byID)
		}
		ps = keepLast(ps, func(x, y Partition) bool { return x.ID == y.ID })
		if len(ps) == 0 {
			ps = nil
		}
		out[i] = Topic{Name: sp.name, Partitions: ps}
	}
	return out
}

// sortBrokers sorts brokers by name; of entries with the same name, the
// last one read counts.
func sortBrokers(bs []Broker) []Broker {
	slices.SortStableFunc(bs, func(x, y Broker) int { return strings.Compare(x.Name, y.Name) })
	return keepLast(bs, func(x, y Broker) bool { return x.Name == y.Name })
}

// keepLast keeps, of each run of neighbours that are the same, the last.
func keepLast[T any](s []T, same func(x, y T) bool) []T {
	n := 0
	for i := range s {
		if i+1 < len(s) && same(s[i], s[i+1]) {
			continue
		}
		s[n] = s[i]
		n++
	}
	return s[:n]
}

// partitionID parses a partitions key: a decimal int32 written the way
// librdkafka writes it (no '+', no leading zeros, no "-0"), so that
// distinct keys are distinct ids.
func partitionID(key []byte) (int32, bool) {
	s, neg := key, false
	if len(s) > 0 && s[0] == '-' {
		s, neg = s[1:], true
	}
	if len(s) == 0 || len(s) > 10 || (s[0] == '0' && (len(s) > 1 || neg)) {
		return 0, false
	}
	var n int64
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		return 0, false
	}
	return int32(n), true
}
