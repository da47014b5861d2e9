package interceptor

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/internal/kmetrics"
	"github.com/kafkatrace/kafkatrace/semconv"
)

// meteredSpan is the process span StartProcess returns while metrics are
// recorded: ending it records messaging.process.duration, with error.type
// when the caller failed the span: the error.type attribute it set, else the
// type of the error it recorded, else "_OTHER" for an error status.
type meteredSpan struct {
	trace.Span
	metrics   *kmetrics.Client
	topic     string
	partition int32
	start     time.Time

	mu      sync.Mutex
	errType string // from an error.type attribute
	err     error  // from RecordError
	status  bool   // an error status was set
	ended   bool
}

// RecordError notes err and records it on the span.
func (s *meteredSpan) RecordError(err error, opts ...trace.EventOption) {
	s.mu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
	s.Span.RecordError(err, opts...)
}

// SetStatus notes an error status and sets it on the span.
func (s *meteredSpan) SetStatus(code codes.Code, description string) {
	s.mu.Lock()
	s.status = s.status || code == codes.Error
	s.mu.Unlock()
	s.Span.SetStatus(code, description)
}

// SetAttributes notes an error.type attribute and sets them on the span.
func (s *meteredSpan) SetAttributes(kv ...attribute.KeyValue) {
	for _, a := range kv {
		if a.Key == semconv.ErrorTypeKey {
			s.mu.Lock()
			s.errType = a.Value.AsString()
			s.mu.Unlock()
		}
	}
	s.Span.SetAttributes(kv...)
}

// End ends the span and, the first time, records the process duration.
func (s *meteredSpan) End(opts ...trace.SpanEndOption) {
	s.Span.End(opts...)
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	s.ended = true
	var err error
	switch {
	case s.errType != "":
		err = kmetrics.TypedError(s.errType)
	case s.err != nil:
		err = s.err
	case s.status:
		err = kmetrics.TypedError("_OTHER")
	}
	s.mu.Unlock()
	s.metrics.Processed(context.Background(), s.topic, s.partition, err, time.Since(s.start))
}
