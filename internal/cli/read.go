package cli

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// readRange is what to read of one partition: offsets [start, end), or from
// start on without end when end < 0.
type readRange struct {
	partition  int32
	start, end int64
}

// read assigns the ranges of topic (no group join) and calls fn for every
// message in them, until every bounded range is read or fn says its
// partition is done, or ctx ends (nil then when follow is set). It fails
// when no message arrives for --timeout while bounded ranges remain.
func (cl *client) read(ctx context.Context, topic string, ranges []readRange, follow bool, fn func(*kafka.Message) (partitionDone bool)) error {
	left := map[int32]readRange{} // bounded ranges not finished yet
	var tps []kafka.TopicPartition
	for _, r := range ranges {
		if r.end >= 0 && r.start >= r.end && !follow {
			continue
		}
		if r.end >= 0 {
			left[r.partition] = r
		}
		tps = append(tps, kafka.TopicPartition{Topic: &topic, Partition: r.partition, Offset: kafka.Offset(r.start)})
	}
	if len(tps) == 0 || (len(left) == 0 && !follow) {
		return nil
	}
	if err := cl.c.Assign(tps); err != nil {
		return runtimeError("assign %s: %v", topic, err)
	}
	defer func() { _ = cl.c.Unassign() }()

	done := map[int32]bool{}
	var lastErr error
	progress := time.Now()
	for follow || len(left) > 0 {
		if err := ctx.Err(); err != nil {
			if follow {
				return nil
			}
			return runtimeError("interrupted while reading %s", topic)
		}
		if !follow && time.Since(progress) > cl.opts.timeout {
			return cl.readTimeout(topic, left, lastErr)
		}
		switch ev := cl.c.Poll(100).(type) {
		case *kafka.Message:
			p, off := ev.TopicPartition.Partition, int64(ev.TopicPartition.Offset)
			if ev.TopicPartition.Error != nil {
				return runtimeError("reading %s [%d]: %v", topic, p, ev.TopicPartition.Error)
			}
			progress = time.Now()
			r, bounded := left[p]
			if bounded && off >= r.end {
				// Past the range: its last offsets were compacted away or are
				// transaction markers. The range is read.
				delete(left, p)
				continue
			}
			if done[p] {
				continue
			}
			if fn(ev) {
				done[p] = true
				delete(left, p)
				continue
			}
			if bounded && off >= r.end-1 {
				delete(left, p)
			}
		case kafka.PartitionEOF:
			progress = time.Now()
			if r, ok := left[ev.Partition]; ok && int64(ev.Offset) >= r.end {
				delete(left, ev.Partition)
			}
		case kafka.Error:
			if ev.IsFatal() {
				return runtimeError("reading %s: %v", topic, ev)
			}
			if ev.Code() == kafka.ErrAutoOffsetReset || ev.Code() == kafka.ErrOffsetOutOfRange {
				return runtimeError("reading %s: %v (the offset is outside the log: below its start, deleted by retention or compaction, or past its end)", topic, ev)
			}
			lastErr = ev
		}
	}
	return nil
}

// readTimeout is the error of a read that made no progress for --timeout.
func (cl *client) readTimeout(topic string, left map[int32]readRange, lastErr error) error {
	var ps []int
	for p := range left {
		ps = append(ps, int(p))
	}
	sort.Ints(ps)
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = fmt.Sprint(p)
	}
	msg := fmt.Sprintf("timed out after %v reading %s partition(s) %s", cl.opts.timeout, topic, strings.Join(s, ","))
	if lastErr != nil {
		msg += fmt.Sprintf(": %v", lastErr)
	}
	return runtimeError("%s (the brokers may be unreachable; try a longer --timeout)", msg)
}

// readAt returns the message at offset of topic [partition]; an error when
// the topic, partition or offset does not exist.
func (cl *client) readAt(ctx context.Context, topic string, partition int32, offset int64) (*kafka.Message, error) {
	parts, err := cl.partitions(topic)
	if err != nil {
		return nil, err
	}
	found := false
	for _, p := range parts {
		found = found || p == partition
	}
	if !found {
		return nil, runtimeError("partition %d not found: topic %q has %d partition(s)", partition, topic, len(parts))
	}
	wm, err := cl.watermarks(topic, []int32{partition})
	if err != nil {
		return nil, err
	}
	if lo, hi := wm[partition][0], wm[partition][1]; offset < lo || offset >= hi {
		if lo >= hi {
			return nil, runtimeError("no offset %d in %s [%d]: the partition is empty", offset, topic, partition)
		}
		return nil, runtimeError("no offset %d in %s [%d]: it holds offsets %d to %d", offset, topic, partition, lo, hi-1)
	}
	var msg *kafka.Message
	err = cl.read(ctx, topic, []readRange{{partition: partition, start: offset, end: offset + 1}}, false, func(m *kafka.Message) bool {
		msg = m
		return true
	})
	if err != nil {
		return nil, err
	}
	if msg == nil || int64(msg.TopicPartition.Offset) != offset {
		return nil, runtimeError("no message at offset %d of %s [%d] (removed by compaction, or a transaction marker)", offset, topic, partition)
	}
	return msg, nil
}
