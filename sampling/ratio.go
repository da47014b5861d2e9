package sampling

import (
	"encoding/binary"

	"go.opentelemetry.io/otel/trace"
)

// ratio decides by trace ID exactly as sdktrace.TraceIDRatioBased does, so
// that services using any OpenTelemetry SDK agree on the same trace.
type ratio struct {
	value float64
	bound uint64 // trace IDs whose low 63 bits are below bound are sampled
	all   bool   // value == 1; checked first so that 1 is exact
}

func newRatio(r float64) ratio {
	if r >= 1 {
		return ratio{value: 1, all: true}
	}
	if r <= 0 {
		return ratio{}
	}
	return ratio{value: r, bound: uint64(r * (1 << 63))}
}

func (r ratio) sampled(id trace.TraceID) bool {
	if r.all {
		return true
	}
	return binary.BigEndian.Uint64(id[8:16])>>1 < r.bound
}
