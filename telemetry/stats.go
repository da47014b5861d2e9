package telemetry

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// SpanStats counts what happened to a [Provider]'s sampled spans since it
// was built; see [Provider.Stats].
type SpanStats struct {
	// Exported spans were accepted by the exporter.
	Exported uint64
	// QueueFull spans were dropped because the export queue was full,
	// typically because the backend is slow or down.
	QueueFull uint64
	// ExportFailed spans were in a batch the exporter returned an error for.
	ExportFailed uint64
}

// Dropped returns how many sampled spans will never reach the backend.
func (s SpanStats) Dropped() uint64 { return s.QueueFull + s.ExportFailed }

func (c *counters) stats() SpanStats {
	if c == nil {
		return SpanStats{}
	}
	return SpanStats{
		Exported:     c.exported.Load(),
		QueueFull:    c.queueFull.Load(),
		ExportFailed: c.failed.Load(),
	}
}

// counters are shared by a gate and the countingExporter behind it.
type counters struct {
	limit     int64        // max spans admitted and not yet exported
	inflight  atomic.Int64 // admitted, not yet returned by the exporter
	exported  atomic.Uint64
	queueFull atomic.Uint64
	failed    atomic.Uint64

	// The export failures of Shutdown's final flush are kept for its error,
	// and the first failure before it for the count of lost spans.
	shutdown atomic.Bool
	mu       sync.Mutex
	lastErr  error
	firstErr error
}

// closing marks the start of Shutdown: export errors from now on are kept.
func (c *counters) closing() {
	if c != nil {
		c.shutdown.Store(true)
	}
}

// closeErr is the last export error since closing.
func (c *counters) closeErr() error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastErr
}

// ErrSpansLost is in the chain of Provider.Shutdown's error when sampled
// spans were lost during the provider's life (in failed exports, or dropped
// with the export queue full): errors.Is(err, telemetry.ErrSpansLost).
var ErrSpansLost = errors.New("telemetry: sampled spans were not exported")

// lostErr reports the sampled spans that never reached the exporter's
// backend, nil when there are none. withFirst wraps the first export failure
// too: Shutdown passes false when its final flush failed, whose error it
// returns already (the same misconfiguration, explained once).
func (c *counters) lostErr(withFirst bool) error {
	s := c.stats()
	if s.Dropped() == 0 {
		return nil
	}
	c.mu.Lock()
	first := c.firstErr
	c.mu.Unlock()
	err := fmt.Errorf("%w: %d (%d in failed exports, %d dropped with the export queue full)",
		ErrSpansLost, s.Dropped(), s.ExportFailed, s.QueueFull)
	if withFirst && first != nil {
		return fmt.Errorf("%w; the first failure: %w", err, first)
	}
	return err
}

// The SDK's batch span processor drops spans when its queue is full but
// keeps the count to itself. So the gate admits at most limit spans that the
// exporter has not finished with, counting the rest as dropped, and the
// batch processor behind it gets a queue larger than limit: it never drops,
// and every drop is counted here. Admission is one atomic add: the hot path
// never blocks or waits.
type gate struct {
	sdktrace.SpanProcessor
	c *counters
}

// queueSlack leaves room in the batch processor's queue for the markers
// ForceFlush puts there.
const queueSlack = 64

func newGatedBatcher(exp sdktrace.SpanExporter, b Batch, c *counters, x explainer) sdktrace.SpanProcessor {
	c.limit = int64(b.MaxQueueSize)
	bsp := sdktrace.NewBatchSpanProcessor(countingExporter{exp, c, x},
		sdktrace.WithMaxQueueSize(b.MaxQueueSize+queueSlack),
		sdktrace.WithMaxExportBatchSize(b.MaxExportBatchSize),
		sdktrace.WithBatchTimeout(b.ScheduleDelay),
		sdktrace.WithExportTimeout(b.ExportTimeout),
	)
	return gate{bsp, c}
}

// OnEnd admits s to the batch processor unless the queue is full.
func (g gate) OnEnd(s sdktrace.ReadOnlySpan) {
	if !s.SpanContext().IsSampled() {
		return // the batch processor ignores them too
	}
	if g.c.inflight.Add(1) > g.c.limit {
		g.c.inflight.Add(-1)
		g.c.queueFull.Add(1)
		return
	}
	g.SpanProcessor.OnEnd(s)
}

// countingExporter counts what the exporter did with each batch, and
// explains the failures it recognises.
type countingExporter struct {
	sdktrace.SpanExporter
	c *counters
	x explainer
}

func (e countingExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	err := e.x.explain(e.SpanExporter.ExportSpans(ctx, spans))
	n := len(spans)
	if err != nil {
		e.c.mu.Lock()
		if e.c.shutdown.Load() {
			e.c.lastErr = err
		} else if e.c.firstErr == nil {
			e.c.firstErr = err
		}
		e.c.mu.Unlock()
	}
	if err != nil {
		e.c.failed.Add(uint64(n))
	} else {
		e.c.exported.Add(uint64(n))
	}
	e.c.inflight.Add(int64(-n))
	return err
}
