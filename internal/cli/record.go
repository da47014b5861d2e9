package cli

import (
	"encoding/json"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/kafkatrace/kafkatrace/internal/jaegerquery"
)

// record is what inspect shows of one message; its JSON form is one line of
// inspect --json (see the package documentation).
type record struct {
	Topic         string          `json:"topic"`
	Partition     int32           `json:"partition"`
	Offset        int64           `json:"offset"`
	Timestamp     string          `json:"timestamp,omitempty"`
	TimestampType string          `json:"timestamp_type"`
	AgeMS         *int64          `json:"age_ms,omitempty"`
	Key           json.RawMessage `json:"key,omitempty"`
	Headers       int             `json:"headers"`
	OtherHeaders  int             `json:"other_headers"`
	OtherList     []otherHeader   `json:"other_header_list,omitempty"`
	Trace         traceContext    `json:"trace"`

	age time.Duration // now - timestamp, when there is one
	key string        // the key escaped, for people
}

// recordOptions says what newRecord includes.
type recordOptions struct {
	showKey    bool
	allHeaders bool
	jaeger     string // Jaeger query base URL, "" for none
}

// newRecord decodes m, as of now.
func newRecord(m *kafka.Message, now time.Time, o recordOptions) *record {
	r := &record{
		Partition: m.TopicPartition.Partition,
		Offset:    int64(m.TopicPartition.Offset),
		Headers:   len(m.Headers),
	}
	if m.TopicPartition.Topic != nil {
		r.Topic = shownString(*m.TopicPartition.Topic, maxShown) // brokers restrict names; a tool does not trust them
	}
	switch m.TimestampType {
	case kafka.TimestampCreateTime:
		r.TimestampType = "create"
	case kafka.TimestampLogAppendTime:
		r.TimestampType = "log_append"
	default:
		r.TimestampType = "none"
	}
	if r.TimestampType != "none" && !m.Timestamp.IsZero() {
		r.Timestamp = formatTime(m.Timestamp)
		r.age = now.Sub(m.Timestamp)
		ms := r.age.Milliseconds()
		r.AgeMS = &ms
	}
	if o.showKey {
		r.Key = json.RawMessage("null")
		if m.Key != nil {
			r.key = shown(m.Key, maxShown)
			r.Key, _ = json.Marshal(r.key)
		}
	}
	r.Trace, r.OtherHeaders, r.OtherList = decodeHeaders(m.Headers, o.allHeaders)
	if o.jaeger != "" && r.Trace.TraceID != "" {
		r.Trace.URL = traceURL(o.jaeger, r.Trace.TraceID)
	}
	return r
}

// traceURL is the page of trace id in the Jaeger UI at base.
func traceURL(base, id string) string {
	return (&jaegerquery.Client{BaseURL: base}).URL(id)
}

// formatTime is t in UTC with milliseconds.
func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z07:00")
}
