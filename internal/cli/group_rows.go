package cli

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/kafkatrace/kafkatrace/internal/finished"
)

// groupRow is what group shows of one partition; its JSON form is one line
// of group --json (see the package documentation).
type groupRow struct {
	Group                     string `json:"group"`
	Topic                     string `json:"topic"`
	Partition                 int32  `json:"partition"`
	Committed                 *int64 `json:"committed"` // null: no commit
	LogStart                  int64  `json:"log_start"`
	End                       int64  `json:"end"`
	Lag                       int64  `json:"lag"`
	Metadata                  string `json:"metadata"` // kafkatrace, none, foreign, invalid
	FinishedAboveCommitted    int    `json:"finished_above_committed"`
	HighestFinished           *int64 `json:"highest_finished"`
	Unfinished                int64  `json:"unfinished"`
	OldestUnfinished          *int64 `json:"oldest_unfinished"`
	OldestUnfinishedTimestamp string `json:"oldest_unfinished_timestamp,omitempty"`
	OldestUnfinishedAgeMS     *int64 `json:"oldest_unfinished_age_ms"`
	OldestUnfinishedError     string `json:"oldest_unfinished_error,omitempty"`
	Error                     string `json:"error,omitempty"`

	done map[kafka.Offset]struct{} // finished offsets above the commit
	age  time.Duration
}

// groupRows builds a row per committed partition: watermarks, lag, the
// finished-offsets record decoded, and the oldest unfinished message read.
func (cl *client) groupRows(ctx context.Context, group string, committed []kafka.TopicPartition) ([]*groupRow, error) {
	byTopic := map[string][]*groupRow{}
	var topics []string
	for _, tp := range committed {
		r := &groupRow{Group: group, Topic: *tp.Topic, Partition: tp.Partition, Metadata: "none"}
		if tp.Error != nil {
			r.Error = oneLine(tp.Error.Error())
		}
		if tp.Offset >= 0 {
			c := int64(tp.Offset)
			r.Committed = &c
			r.Metadata, r.done = decodeFinished(tp.Offset, tp.Metadata)
		}
		if byTopic[r.Topic] == nil {
			topics = append(topics, r.Topic)
		}
		byTopic[r.Topic] = append(byTopic[r.Topic], r)
	}
	var rows []*groupRow
	for _, topic := range topics {
		trows := byTopic[topic]
		parts := make([]int32, len(trows))
		for i, r := range trows {
			parts[i] = r.Partition
		}
		wm, err := cl.watermarks(topic, parts)
		if err != nil {
			return nil, err
		}
		for _, r := range trows {
			r.LogStart, r.End = wm[r.Partition][0], wm[r.Partition][1]
			r.settle()
		}
		cl.oldest(ctx, topic, trows)
		rows = append(rows, trows...)
	}
	return rows, nil
}

// decodeFinished classifies commit metadata md of a partition committed at
// base and returns the finished offsets it records.
func decodeFinished(base kafka.Offset, md *string) (string, map[kafka.Offset]struct{}) {
	switch {
	case md == nil || *md == "":
		return "none", nil
	case !finished.IsRecord(*md):
		return "foreign", nil
	}
	done := finished.Parse(base, md)
	if done == nil && *md != finished.Prefix {
		return "invalid", nil
	}
	return "kafkatrace", done
}

// settle computes lag and the finished counts once the watermarks are known.
func (r *groupRow) settle() {
	if r.Committed == nil {
		r.Lag = r.End - r.LogStart
		r.Unfinished = r.Lag
		return
	}
	c := *r.Committed
	r.Lag = max(0, r.End-c)
	for off := range r.done {
		if int64(off) >= r.End { // cannot be, unless the log was truncated
			delete(r.done, off)
			continue
		}
		if r.HighestFinished == nil || int64(off) > *r.HighestFinished {
			o := int64(off)
			r.HighestFinished = &o
		}
	}
	r.FinishedAboveCommitted = len(r.done)
	r.Unfinished = r.Lag - int64(len(r.done))
}

// oldest reads, for each row of topic with unfinished messages above its
// commit, the first unfinished message, for its offset and timestamp. The
// reads of all partitions share one --timeout; a failure is noted per row.
func (cl *client) oldest(ctx context.Context, topic string, rows []*groupRow) {
	byPart := map[int32]*groupRow{}
	var ranges []readRange
	for _, r := range rows {
		if r.Committed == nil || r.Unfinished <= 0 {
			continue
		}
		start := max(*r.Committed, r.LogStart)
		byPart[r.Partition] = r
		ranges = append(ranges, readRange{partition: r.Partition, start: start, end: r.End})
	}
	if len(ranges) == 0 {
		return
	}
	now := time.Now()
	err := cl.read(ctx, topic, ranges, false, func(m *kafka.Message) bool {
		r := byPart[m.TopicPartition.Partition]
		if _, fin := r.done[m.TopicPartition.Offset]; fin {
			return false
		}
		off := int64(m.TopicPartition.Offset)
		r.OldestUnfinished = &off
		if m.TimestampType != kafka.TimestampNotAvailable && !m.Timestamp.IsZero() {
			r.OldestUnfinishedTimestamp = formatTime(m.Timestamp)
			r.age = now.Sub(m.Timestamp)
			ms := r.age.Milliseconds()
			r.OldestUnfinishedAgeMS = &ms
		}
		return true
	})
	for _, rg := range ranges {
		r := byPart[rg.partition]
		switch {
		case r.OldestUnfinished != nil:
		case err != nil:
			r.OldestUnfinishedError = fmt.Sprintf("could not read it: %s", oneLine(err.Error()))
		default:
			r.OldestUnfinishedError = fmt.Sprintf("no message from offset %d on (deleted by retention or compaction?)", rg.start)
		}
	}
}

// sortRows orders rows by topic and partition.
func sortRows(rows []*groupRow) {
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Topic != rows[j].Topic {
			return rows[i].Topic < rows[j].Topic
		}
		return rows[i].Partition < rows[j].Partition
	})
}
