package main

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"go.opentelemetry.io/otel/trace"

	"github.com/kafkatrace/kafkatrace/interceptor"
)

// The batch scenario: RunBatch against Run with a handler that costs what a
// bulk insert costs, a fixed price per call plus a little per message.
const (
	bulkPerCall = time.Millisecond
	bulkPerMsg  = 10 * time.Microsecond

	bulkInFlight  = 8                    // WithMaxInFlight of both
	bulkBatchSize = 100                  // WithBatch's maxMessages
	bulkBatchWait = 5 * time.Millisecond // WithBatch's maxWait
	bulkKeys      = 10_000               // distinct keys: ByKey never holds Run back
	bulkRunMsgs   = 20_000               // Run: about 3 s at 8 in flight
	bulkBatchMsgs = 100_000              // RunBatch: over half a second, so the window is not all ramp-up
	bulkTopic     = "bulk"
)

// bulkInsert is the simulated work of one handler call on n messages.
func bulkInsert(n int) {
	time.Sleep(bulkPerCall + time.Duration(n)*bulkPerMsg)
}

// idleCall is the mean of calls of the Run handler (one message) with
// nothing else running: the sleep's own overshoot.
func idleCall() time.Duration {
	const calls = 200
	began := time.Now()
	for range calls {
		bulkInsert(1)
	}
	return time.Since(began) / calls
}

// bulkResult is one measurement of Run or RunBatch.
type bulkResult struct {
	Rate     float64       // messages per second
	Messages int64         // messages counted in Rate
	PerCall  float64       // messages per handler call
	MeanCall time.Duration // mean handler call, as the handler saw it
	Cores    float64       // CPU time of the whole process (broker included) ÷ wall time
}

// bulkMeter times a run: from the start of the first handler call to the end
// of the call that completes the n-th message. Starting at the first call's
// end instead (as the consumer table does) would credit RunBatch with the
// other batches started with the first, which end together with it.
type bulkMeter struct {
	n     int64
	once  sync.Once
	start time.Time
	cpu0  time.Duration
	spent atomic.Int64 // nanoseconds inside handler calls
	calls atomic.Int64
	total atomic.Int64
	end   chan bulkEnd
}

type bulkEnd struct {
	at       time.Time
	cpu      time.Duration
	messages int64
}

// cpuTime is the process's user + system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func (m *bulkMeter) enter() time.Time {
	now := time.Now()
	m.once.Do(func() { m.start, m.cpu0 = now, cpuTime() })
	return now
}

func (m *bulkMeter) leave(k int, began time.Time) {
	now := time.Now()
	m.spent.Add(int64(now.Sub(began)))
	m.calls.Add(1)
	total := m.total.Add(int64(k))
	if total >= m.n && total-int64(k) < m.n {
		m.end <- bulkEnd{at: now, cpu: cpuTime(), messages: total}
	}
}

// measureBulk consumes at least n messages of topic from the beginning with
// the bulk-insert handler, through RunBatch (WithBatch(bulkBatchSize,
// bulkBatchWait)) if batch, else through Run; both ByKey with bulkInFlight
// in flight.
func measureBulk(bootstrap string, tp trace.TracerProvider, topic string, parts, n int, batch bool) (bulkResult, error) {
	opts := []interceptor.Option{
		interceptor.WithTracerProvider(tp),
		interceptor.WithOrdering(interceptor.ByKey),
		interceptor.WithMaxInFlight(bulkInFlight),
	}
	if batch {
		opts = append(opts, interceptor.WithBatch(bulkBatchSize, bulkBatchWait))
	}
	c, err := interceptor.NewConsumer(consumerConf(bootstrap), opts...)
	if err != nil {
		return bulkResult{}, err
	}
	defer c.Close()
	if err := c.Assign(assignment(topic, parts)); err != nil {
		return bulkResult{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	m := &bulkMeter{n: int64(n), end: make(chan bulkEnd, 1)}
	errc := make(chan error, 1)
	go func() {
		if batch {
			errc <- c.RunBatch(ctx, func(_ context.Context, msgs []*kafka.Message) error {
				began := m.enter()
				bulkInsert(len(msgs))
				m.leave(len(msgs), began)
				return nil
			})
			return
		}
		errc <- c.Run(ctx, func(context.Context, *kafka.Message) error {
			began := m.enter()
			bulkInsert(1)
			m.leave(1, began)
			return nil
		})
	}()
	var end bulkEnd
	select {
	case end = <-m.end:
	case err := <-errc:
		return bulkResult{}, fmt.Errorf("stopped after %d of %d messages: %v", m.total.Load(), n, err)
	}
	cancel()
	if err := <-errc; err != nil {
		return bulkResult{}, err
	}
	calls := max(m.calls.Load(), 1) // every call has ended: Run waits for them
	wall := end.at.Sub(m.start)
	return bulkResult{
		Cores:    float64(end.cpu-m.cpu0) / float64(wall),
		Rate:     float64(end.messages) / wall.Seconds(),
		Messages: end.messages,
		PerCall:  float64(m.total.Load()) / float64(calls),
		MeanCall: time.Duration(m.spent.Load() / calls),
	}, nil
}

// bulkTable holds the batch scenario, one figure per round.
type bulkTable struct {
	Partitions           int
	IdleCall             time.Duration
	Run, Batch           series // messages per second
	RunCall, BatchCall   series // mean handler call, milliseconds
	RunPer, BatchPer     series // messages per handler call
	RunCores, BatchCores series // CPU cores busy
}

func (t *bulkTable) add(batch bool, res bulkResult) {
	ms := float64(res.MeanCall) / float64(time.Millisecond)
	if batch {
		t.Batch, t.BatchCall, t.BatchPer = append(t.Batch, res.Rate), append(t.BatchCall, ms), append(t.BatchPer, res.PerCall)
		t.BatchCores = append(t.BatchCores, res.Cores)
		return
	}
	t.Run, t.RunCall, t.RunPer = append(t.Run, res.Rate), append(t.RunCall, ms), append(t.RunPer, res.PerCall)
	t.RunCores = append(t.RunCores, res.Cores)
}

// markdown is the report's section; empty if the scenario did not run.
func (t bulkTable) markdown() string {
	if len(t.Run) == 0 || len(t.Batch) == 0 {
		return ""
	}
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	perCallMs := func(n int) float64 {
		return float64(bulkPerCall+time.Duration(n)*bulkPerMsg) / float64(time.Millisecond)
	}
	w("## RunBatch vs Run (bulk-insert handler: 1 ms per call + 10 µs per message)\n\n")
	w("The handler stands for a bulk insert: `time.Sleep(1 ms + 10 µs × messages)`. `Run` calls it once per message\n")
	w("(%.2f ms), `RunBatch` with `WithBatch(%d, %s)` once per batch (%.2f ms for a full one). Both run with\n",
		perCallMs(1), bulkBatchSize, bulkBatchWait, perCallMs(bulkBatchSize))
	w("`WithMaxInFlight(%d)` and `WithOrdering(ByKey)` over %d distinct keys (so ordering never holds `Run` back), and\n", bulkInFlight, bulkKeys)
	w("sampled tracing as the \"sampled\" consumer variants (AlwaysSample, BatchSpanProcessor, discarding exporter), on one\n")
	w("topic of %d partitions holding %d messages produced by kafkatrace (sampled, so each carries trace headers and each\n", t.Partitions, bulkBatchMsgs)
	w("batch span links to up to %d producers). `Run` handles the first %d messages, `RunBatch` all %d, so that\n", bulkBatchSize, bulkRunMsgs, bulkBatchMsgs)
	w("neither window is mostly ramp-up (here about %.1f s and %.1f s).\n\n", float64(bulkRunMsgs)/t.Run.median(), float64(bulkBatchMsgs)/t.Batch.median())
	w("Clock: from the start of the first handler call to the end of the call that completes the n-th message, and\n")
	w("msgs/s counts every message of the calls ended by then (client start-up, assignment and the first fetch are\n")
	w("outside the window; starting it at the first call's end, as the consumer table does, would credit RunBatch\n")
	w("with the other batches that started with the first). Medians of %d interleaved rounds (which of the two goes\n", len(t.Run))
	w("first alternates); the ratio is the median of per-round ratios. Mean call is measured around the sleep, so it\n")
	w("includes the timer's overshoot and, on a busy machine, the wait to be scheduled again (with nothing else\n")
	w("running, the %.2f ms sleep took %.3f ms here). Ceiling: what %d slots would do if the handler were the only\n",
		perCallMs(1), float64(t.IdleCall)/float64(time.Millisecond), bulkInFlight)
	w("cost, %d × msgs per call ÷ mean call. CPU: the process's user + system time over the window (the in-process\n", bulkInFlight)
	w("broker included), in cores, of %d. Repeat this section alone with `cd bench && go run . -only batch` (the report\n", runtime.NumCPU())
	w("goes to stdout).\n\n")
	w("| mode | msgs/s (median) | min | max | msgs per call | mean call | ceiling | CPU |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
	row := func(name string, rates, call, per, cores series) {
		lo, hi := minmax(rates)
		ceiling := float64(bulkInFlight) * per.median() / (call.median() / 1000)
		w("| %s | %.0f | %.0f | %.0f | %.1f | %.3f ms | %.0f | %.2f |\n", name, rates.median(), lo, hi, per.median(), call.median(), ceiling, cores.median())
	}
	row(fmt.Sprintf("Run, %d in flight", bulkInFlight), t.Run, t.RunCall, t.RunPer, t.RunCores)
	row(fmt.Sprintf("RunBatch %d per batch, %d in flight", bulkBatchSize, bulkInFlight), t.Batch, t.BatchCall, t.BatchPer, t.BatchCores)
	rs := ratios(t.Batch, t.Run)
	per := make([]string, len(rs))
	for i, r := range rs {
		per[i] = fmt.Sprintf("%.1f×", r)
	}
	w("\nRunBatch ÷ Run: **%.1f×** (median; per round: %s).\n\n", rs.median(), strings.Join(per, ", "))
	return b.String()
}

// target is the row of the Targets table; empty if the scenario did not run.
func (t bulkTable) target(yes func(bool) string) string {
	if len(t.Run) == 0 || len(t.Batch) == 0 {
		return ""
	}
	x := ratios(t.Batch, t.Run).median()
	return fmt.Sprintf("| batch: RunBatch %d per batch ≥ 3× Run, %d in flight, 1 ms + 10 µs/message handler | %.1f× | %s | — |\n",
		bulkBatchSize, bulkInFlight, x, yes(x >= 3))
}

func minmax(s series) (lo, hi float64) {
	for i, v := range s {
		if i == 0 || v < lo {
			lo = v
		}
		if i == 0 || v > hi {
			hi = v
		}
	}
	return lo, hi
}
