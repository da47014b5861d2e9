package jaegerquery

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/kafkatrace/kafkatrace/internal/tracetree"
)

// The subset of Jaeger's query API answer that is read: see
// github.com/jaegertracing/jaeger's model/json.

type response struct {
	Data   json.RawMessage `json:"data"` // an array of traces, or null
	Errors []struct {
		Code int    `json:"code"`
		Msg  string `json:"msg"`
	} `json:"errors"`
}

type jTrace struct {
	TraceID   string              `json:"traceID"`
	Spans     []jSpan             `json:"spans"`
	Processes map[string]jProcess `json:"processes"`
}

type jProcess struct {
	ServiceName string `json:"serviceName"`
}

type jSpan struct {
	TraceID       string    `json:"traceID"`
	SpanID        string    `json:"spanID"`
	OperationName string    `json:"operationName"`
	References    []jRef    `json:"references"`
	StartTime     int64     `json:"startTime"` // µs since the epoch
	Duration      int64     `json:"duration"`  // µs
	Tags          []jTag    `json:"tags"`
	ProcessID     string    `json:"processID"`
	Process       *jProcess `json:"process"` // instead of processID in some answers
}

type jRef struct {
	RefType string `json:"refType"` // CHILD_OF or FOLLOWS_FROM
	TraceID string `json:"traceID"`
	SpanID  string `json:"spanID"`
}

type jTag struct {
	Key   string          `json:"key"`
	Type  string          `json:"type"` // string, bool, int64, float64, binary
	Value json.RawMessage `json:"value"`
}

// text returns a tag's value as text: strings unquoted, numbers as Jaeger
// wrote them, true or false.
func (t jTag) text() string {
	v := bytes.TrimSpace(t.Value)
	if len(v) > 0 && v[0] == '"' {
		var s string
		if json.Unmarshal(v, &s) == nil {
			return s
		}
	}
	return string(v)
}

// spans converts a trace to the renderer's spans.
func (t jTrace) spans() []tracetree.Span {
	out := make([]tracetree.Span, 0, len(t.Spans))
	for _, js := range t.Spans {
		traceID := js.TraceID
		if traceID == "" {
			traceID = t.TraceID
		}
		s := tracetree.Span{
			TraceID:  padID(traceID, 32),
			SpanID:   padID(js.SpanID, 16),
			Name:     js.OperationName,
			Service:  t.Processes[js.ProcessID].ServiceName,
			Start:    time.UnixMicro(js.StartTime),
			Duration: time.Duration(js.Duration) * time.Microsecond,
			Attrs:    make(map[string]string, len(js.Tags)),
		}
		if js.Process != nil && s.Service == "" {
			s.Service = js.Process.ServiceName
		}
		for _, r := range js.References {
			switch r.RefType {
			case "CHILD_OF":
				if s.ParentID == "" {
					s.ParentID = padID(r.SpanID, 16)
				}
			case "FOLLOWS_FROM":
				s.Links = append(s.Links, padID(r.SpanID, 16))
			}
		}
		for _, tag := range js.Tags {
			v := tag.text()
			s.Attrs[tag.Key] = v
			switch tag.Key {
			case "span.kind":
				s.Kind = strings.ToLower(v)
			case "otel.status_code":
				s.Error = s.Error || strings.EqualFold(v, "ERROR")
			case "otel.status_description":
				s.StatusMessage = v
			case "error":
				if b, err := strconv.ParseBool(v); err == nil && b {
					s.Error = true
				}
			}
		}
		out = append(out, s)
	}
	return out
}
