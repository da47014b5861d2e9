package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/kafkatrace/kafkatrace/poller"
)

// throughput is one throughput table: msgs/s per variant and round.
type throughput struct {
	Title   string
	Order   []string
	Figures map[string]series
}

func (t *throughput) add(name string, v float64) { t.Figures[name] = append(t.Figures[name], v) }

// pollerTable holds the poller scenario.
type pollerTable struct {
	Keys       int
	Messages   int
	Sequential series
	Order      []string
	Cases      map[string]series
	Ratios     map[string]series
	Cores      map[string]series // the process's CPU over the measured window, in cores
	Calls      map[string]series // the mean handler call, in seconds
}

func (p *pollerTable) call(name string, c float64) {
	if p.Calls == nil {
		p.Calls = map[string]series{}
	}
	p.Calls[name] = append(p.Calls[name], c)
}

func (p *pollerTable) cores(name string, c float64) {
	if p.Cores == nil {
		p.Cores = map[string]series{}
	}
	p.Cores[name] = append(p.Cores[name], c)
}

func (p *pollerTable) ratio(name string, r float64) {
	if p.Ratios == nil {
		p.Ratios = map[string]series{}
	}
	p.Ratios[name] = append(p.Ratios[name], r)
}

type report struct {
	Rounds, N   int
	MicroRounds int
	Command     string
	Env         []string
	Elapsed     time.Duration
	Throughput  []throughput
	Micro       []micro
	Allocs      []allocProfile
	Poller      pollerTable
	Bulk        bulkTable
	Memory      []memoryResult
	Parse       parseResult
}

// floorOf names the floor a variant is held to.
func floorOf(name string) string {
	switch {
	case strings.Contains(name, "unsampled"):
		return "floor unsampled"
	case strings.Contains(name, "sampled"):
		return "floor sampled"
	}
	return ""
}

func (r *report) markdown() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# Benchmarks\n\n")
	w("What tracing costs, measured by `make bench` against raw confluent-kafka-go (no tracing, the ceiling) and against\n")
	w("the **floor**: the least any OpenTelemetry-based Kafka tracing must do, written by hand in `bench/floor.go` (start a\n")
	w("span with three messaging attributes, inject W3C TraceContext + Baggage, end the span on the delivery report found\n")
	w("through Opaque; consumer: extract, start a process span, end it). Sampled runs use the SDK's BatchSpanProcessor with\n")
	w("a discarding exporter; unsampled runs use a NeverSample provider.\n\n")
	w("Every throughput figure is the median of %d interleaved rounds (the variants take turns, in rotating order) of %d\n", r.Rounds, r.N)
	w("messages on one in-process broker (librdkafka's mock cluster), and ratios are medians of per-round ratios, because\n")
	w("this machine is noisy. Absolute numbers say more about a 2-core VM and an in-process broker than about production;\n")
	w("the ratios are the point.\n\n")
	w("Command: `%s` (took %s)\n\n", r.Command, r.Elapsed.Round(time.Second))
	w("Machine and versions:\n\n")
	for _, e := range r.Env {
		w("- %s\n", e)
	}
	w("\n")

	for _, t := range r.Throughput {
		w("## %s\n\n", t.Title)
		w("| variant | msgs/s (median) | × raw | × its floor |\n|---|---:|---:|---:|\n")
		raw := t.Figures[t.Order[0]]
		for _, name := range t.Order {
			f := t.Figures[name]
			vsFloor := "—"
			if fl := floorOf(name); fl != "" && !strings.HasPrefix(name, "floor") {
				vsFloor = fmt.Sprintf("%.2f", ratios(f, t.Figures[fl]).median())
			}
			w("| %s | %.0f | %.2f | %s |\n", name, f.median(), ratios(f, raw).median(), vsFloor)
		}
		w("\n")
	}

	w("## Go benchmarks (`testing.B`, 40 B messages)\n\n")
	w("Per message, delivery report or poll included; medians of %d interleaved rounds of `testing.Benchmark`. The same\n", r.MicroRounds)
	w("functions run under `cd bench && go test -bench . -benchmem`.\n\n")
	w("| path | variant | ns/op | allocs/op | B/op | ns vs floor | allocs vs floor |\n|---|---|---:|---:|---:|---:|---:|\n")
	for _, m := range r.Micro {
		dNs, dAllocs := "—", "—"
		if fl := floorOf(m.Variant); fl != "" && !strings.HasPrefix(m.Variant, "floor") {
			for _, f := range r.Micro {
				if f.Path == m.Path && f.Variant == fl {
					dNs = fmt.Sprintf("%+.0f%%", (m.NsPerOp/f.NsPerOp-1)*100)
					dAllocs = fmt.Sprintf("%+d", m.AllocsPerOp-f.AllocsPerOp)
				}
			}
		}
		w("| %s | %s | %.0f | %d | %d | %s | %s |\n", m.Path, m.Variant, m.NsPerOp, m.AllocsPerOp, m.BytesPerOp, dNs, dAllocs)
	}
	w("\n")

	w("%s", r.contentCost())
	w("%s", allocTables(r.Allocs))
	w("%s", r.metricsCost())

	p := r.Poller
	if len(p.Sequential) == 0 {
		w("%s", r.Bulk.markdown())
		w("%s", r.Parse.markdown())
		w("%s", r.targets())
		return b.String()
	}
	w("## Poller: a 1 ms handler, %d messages over %d distinct keys, 3 partitions\n\n", p.Messages, p.Keys)
	w("Baseline: a sequential confluent-kafka-go Poll loop calling the handler inline (%.0f msgs/s, median). `Run` with an\n", p.Sequential.median())
	w("unsampled provider; medians of %d rounds.\n\n", len(p.Sequential))
	w("The \"dispatcher alone\" rows are not Run: the poller itself (`poller.New`, no tracer) fed by a fake source\n")
	w("with no broker, 100000 messages, the same 1 ms handler, held to the same sequential baseline: the broker-free\n")
	w("measurement the performance issue asks for. CPU: the process's user + system time over the measured window\n")
	w("(the in-process broker's threads included), in cores, of %d. Mean call: the handler's 1 ms sleep as timed\n", runtime.NumCPU())
	w("around it (the timer's overshoot and the wait to run again included). Slots busy: msgs/s × mean call, the\n")
	w("handlers running on average (Little's law); against the in-flight bound it says whether slots stood empty\n")
	w("for want of a message (the feed: librdkafka's fetch, the Poll hand-off, the dispatcher) or calls ran long\n")
	w("(the Go runtime's timers on a busy machine).\n\n")
	w("| mode | msgs/s | × sequential | mean call | slots busy | CPU |\n|---|---:|---:|---:|---:|---:|\n")
	w("| sequential Poll loop | %.0f | 1.00 | — | — | — |\n", p.Sequential.median())
	for _, name := range p.Order {
		rate, call := p.Cases[name].median(), p.Calls[name].median()
		w("| %s | %.0f | %.1f | %.3f ms | %.0f | %.2f |\n", name, rate, p.Ratios[name].median(), call*1000, rate*call, p.Cores[name].median())
	}
	w("\n")

	w("%s", r.Bulk.markdown())
	w("%s", r.Parse.markdown())

	w("## Memory: producing against a slow broker (20 ms round trip), tracing on\n\n")
	w("Each variant in a process of its own; peak RSS is VmHWM, goroutines sampled every 10 ms.\n\n")
	w("| variant | messages | seconds | peak RSS MiB | max goroutines | goroutines after Close |\n|---|---:|---:|---:|---:|---:|\n")
	for _, m := range r.Memory {
		w("| %s | %d | %.1f | %.0f | %d | %d |\n", m.Variant, m.Messages, m.Seconds, m.PeakRSSMiB, m.MaxGoroutines, m.EndGoroutines)
	}
	w("\n")
	w("%s", r.targets())
	return b.String()
}

// contentCost splits the sampled variants' distance from the floor into the
// price of their spans' content (the content floor against the floor) and
// kafkatrace's own overhead (kafkatrace against the content floor), in the
// Go benchmarks.
func (r *report) contentCost() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	rows := 0
	for _, pair := range [][2]string{{"produce", "kafkatrace sampled"}, {"consume", "kafkatrace Poll sampled"}} {
		k, okK := r.micro(pair[0], pair[1])
		c, okC := r.micro(pair[0], contentFloorSampled)
		f, okF := r.micro(pair[0], "floor sampled")
		if !okK || !okC || !okF {
			continue
		}
		if rows == 0 {
			w("## The price of the spans' content\n\n")
			w("The floor's spans carry three attributes. kafkatrace's carry the semantic conventions' client and message\n")
			w("attributes, the delivery report's partition and offset (send), the poll's start time, the time in queue and a\n")
			w("link to the producer (receive). The **content floor** (`bench/content.go`) is the floor's hand-written tracing\n")
			w("with kafkatrace's content; against it, what remains is kafkatrace's own overhead. From the Go benchmarks above.\n\n")
			w("| path | floor | content floor | kafkatrace | content vs floor | kafkatrace vs content floor |\n|---|---:|---:|---:|---:|---:|\n")
		}
		rows++
		w("| %s sampled | %.0f ns, %d allocs | %.0f ns, %d allocs | %.0f ns, %d allocs | %+.0f%%, %+d allocs | %+.0f%%, %+d allocs |\n",
			pair[0], f.NsPerOp, f.AllocsPerOp, c.NsPerOp, c.AllocsPerOp, k.NsPerOp, k.AllocsPerOp,
			(c.NsPerOp/f.NsPerOp-1)*100, c.AllocsPerOp-f.AllocsPerOp, (k.NsPerOp/c.NsPerOp-1)*100, k.AllocsPerOp-c.AllocsPerOp)
	}
	if rows > 0 {
		w("\n")
	}
	return b.String()
}

// metricsSuffix ends the name of a variant with metrics recorded.
const metricsSuffix = " + metrics"

// metricsCost compares each "+ metrics" variant with the same variant
// without metrics, in the Go benchmarks and in throughput.
func (r *report) metricsCost() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	rows := 0
	for _, m := range r.Micro {
		base, ok := strings.CutSuffix(m.Variant, metricsSuffix)
		if !ok {
			continue
		}
		for _, f := range r.Micro {
			if f.Path != m.Path || f.Variant != base {
				continue
			}
			if rows == 0 {
				w("## What metrics cost\n\n")
				w("Each variant with `WithMeterProvider` (the SDK's MeterProvider with a manual reader: every measurement is\n")
				w("aggregated, none exported) against the same variant without it, in the Go benchmarks above. Targets: sampled\n")
				w("≤ +10%% ns/op and ≤ +2 allocs/op; unsampled ≤ +15%%. Without `WithMeterProvider` the global no-op provider is\n")
				w("used, which is the plain variant.\n\n")
				w("| path | variant | ns/op | with metrics | ns | allocs |\n|---|---|---:|---:|---:|---:|\n")
			}
			rows++
			w("| %s | %s | %.0f | %.0f | %+.0f%% | %+d |\n", m.Path, base, f.NsPerOp, m.NsPerOp,
				(m.NsPerOp/f.NsPerOp-1)*100, m.AllocsPerOp-f.AllocsPerOp)
		}
	}
	if rows > 0 {
		w("\n")
	}
	return b.String()
}

// targets states where each target stands: the performance issue's
// (consumer, producer, poller), the metrics issue's cost bounds, the batch
// and memory scenarios'.
func (r *report) targets() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("## Targets\n\n")
	w("\"When missed\" puts a missed target next to what bounds it: for a sampled path, the content floor (the same\n")
	w("span content, hand-written) against the same floor; for allocations, the allocation profile's columns against\n")
	w("the floor's; for the poller, the dispatcher alone.\n\n")
	w("| target | figure | met | when missed |\n|---|---|---|---|\n")
	yes := func(ok bool) string {
		if ok {
			return "yes"
		}
		return "**no**"
	}
	for _, t := range r.Throughput {
		for _, name := range t.Order {
			want, ok := throughputTarget(name)
			if !ok {
				continue
			}
			x := ratios(t.Figures[name], t.Figures[floorOf(name)]).median()
			why := "—"
			if x < want {
				why = r.throughputWhy(t, name)
			}
			w("| %s: %s ≥ %.2f× its floor | %.2f× | %s | %s |\n", t.Title, name, want, x, yes(x >= want), why)
		}
	}
	for _, m := range r.Micro {
		if m.Path != "consume" || !strings.HasPrefix(m.Variant, "kafkatrace Poll") || strings.Contains(m.Variant, "metrics") {
			continue
		}
		if f, ok := r.micro(m.Path, floorOf(m.Variant)); ok {
			met := m.AllocsPerOp <= f.AllocsPerOp+2
			why := "—"
			if !met {
				why = r.allocsWhy(m.Path, m.Variant, floorOf(m.Variant))
			}
			w("| %s %s: allocs ≤ floor + 2 | %d vs %d allocs | %s | %s |\n",
				m.Path, m.Variant, m.AllocsPerOp, f.AllocsPerOp, yes(met), why)
		}
	}
	for _, name := range []string{Run256ByKey, Run256Unordered} {
		x := r.Poller.Ratios[name].median()
		why := "—"
		if x < 150 {
			o := poller.ByKey
			if name == Run256Unordered {
				o = poller.Unordered
			}
			why = fmt.Sprintf("dispatcher alone: %.1f×", r.Poller.Ratios[dispatcherCase(o)].median())
		}
		w("| poller: %s ≥ 150× sequential | %.1f× | %s | %s |\n", name, x, yes(x >= 150), why)
	}
	for _, m := range r.Micro {
		base, ok := strings.CutSuffix(m.Variant, metricsSuffix)
		if !ok {
			continue
		}
		f, ok := r.micro(m.Path, base)
		if !ok {
			continue
		}
		d := m.NsPerOp/f.NsPerOp - 1
		if strings.Contains(base, "unsampled") {
			why := "—"
			if d > 0.15 && m.Path == "produce" {
				why = metricsUnsampledWhy
			}
			w("| metrics cost, %s %s: ≤ +15%% ns | %+.0f%% | %s | %s |\n", m.Path, base, d*100, yes(d <= 0.15), why)
		} else {
			da := m.AllocsPerOp - f.AllocsPerOp
			met, why := d <= 0.10 && da <= 2, "—"
			if !met {
				why = metricsWhy
			}
			w("| metrics cost, %s %s: ≤ +10%% ns, ≤ +2 allocs | %+.0f%%, %+d allocs | %s | %s |\n",
				m.Path, base, d*100, da, yes(met), why)
		}
	}
	if len(r.Parse.PerDoc) > 0 {
		d := r.Parse.median()
		w("| statistics parser: 1,000 partitions ≤ %s | %s | %s | — |\n", parseBudget, d.Round(time.Microsecond), yes(d <= parseBudget))
	}
	w("%s", r.Bulk.target(yes))
	for _, m := range r.Memory {
		if m.Variant != "raw" {
			w("| producer goroutines do not grow with messages in flight | max %d goroutines for %d messages, %d after Close | %s | — |\n",
				m.MaxGoroutines, m.Messages, m.EndGoroutines, yes(m.MaxGoroutines < 50))
		}
	}
	w("\n")
	w("%s", whereMissesComeFrom)
	return b.String()
}

// throughputTarget is the performance issue's bound on a variant's
// throughput against its floor; ok is false for variants without one (raw,
// the floors, the content floor, the "+ metrics" variants, whose cost has
// bounds of its own).
func throughputTarget(name string) (want float64, ok bool) {
	if !strings.HasPrefix(name, "kafkatrace") || strings.HasSuffix(name, metricsSuffix) {
		return 0, false
	}
	run := strings.Contains(name, "Run")
	switch unsampled := strings.Contains(name, "unsampled"); {
	case unsampled:
		return 1.0, true
	case run:
		return 0.80, true
	case strings.Contains(name, "Poll"):
		return 0.90, true
	default: // the producer
		return 0.95, true
	}
}

// micro returns the Go benchmark of variant on path.
func (r *report) micro(path, variant string) (micro, bool) {
	for _, f := range r.Micro {
		if f.Path == path && f.Variant == variant {
			return f, true
		}
	}
	return micro{}, false
}

// whereMissesComeFrom explains, from CPU and allocation profiles of the
// benchmark paths, what kafkatrace does beyond the floor.
const whereMissesComeFrom = `## Where the costs above the floor come from (profiled)

- **Sampled spans: the price of their content, paid inside the SDK.** The content floor ("The price of the
  spans' content" above) is bench/floor.go's hand-written tracing with kafkatrace's span content. It lands
  where kafkatrace does, and kafkatrace allocates fewer objects than it: the distance from the floor is
  the content's, not kafkatrace's. The allocation profile above says whose the allocations are. On the
  sampled receive path the SDK's column is where kafkatrace exceeds the floor: it de-duplicates the span's
  attributes when it ends with a map that stays on the stack up to 8 keys (the floor's span has 3,
  kafkatrace's receive span 9: semantic conventions plus the time in queue), stores and copies the
  producer link, and grows the attribute slice a second time for the message's attributes, which are
  added once the span is known to record so that unsampled messages build none. kafkatrace's own column
  is the start options and link (one allocation), the message's attributes, and the traceparent header
  read as a string, which the floor's carrier allocates too. The send span's extra is of the same kind (the
  delivery report's partition and offset, one SetAttributes in the SDK), plus the report's hop through
  the router that restores the application's Opaque before it reaches Events() or the delivery channel
  (the product's contract). What a message waiting for its report holds is small: the copy of the message
  handed to librdkafka (which copies key, value and headers and keeps no reference) is pooled and released
  when Produce returns, so the garbage collector has no message copies to trace while reports are pending.
  Per site: ` + "`cd bench && go run . -only allocs`" + `, or with pprof ` + "`cd bench && go test -run '^$' -bench 'BenchmarkConsume/kafkatrace_Poll_sampled$' -benchtime 100000x -memprofile m.out -memprofilerate 1 && go tool pprof -sample_index=alloc_objects -peek 'Consumer..received$' bench.test m.out`" + `.
- **Metrics** cost what the SDK does per measurement: on a pre-built attribute set it still normalises the
  attributes (` + "`resolveAttributes`, `attrnorm.SetDedup`" + `: three quarters of the recording's CPU in the
  profile of "produce kafkatrace sampled + metrics"); kafkatrace's own share, the attribute-set lookup, is
  about 2% of the path. With metrics on, an unsampled send is followed to its delivery report to time it,
  as a sampled one is: the unsampled "+ metrics" rows pay the router hop and one allocation.
- **Run** hands every message to a goroutine of its own (the product's contract: its own goroutine, ctx and
  span), where the floor handles messages inline on the polling goroutine. The dispatcher alone, on a fake
  source with a no-op handler, costs 400-720 ns and one allocation per message, depending on the run
  (` + "`cd bench && go test -run '^$' -bench DispatchNoop -cpuprofile c.out`" + `): starting or waking the
  goroutine (newproc and waking the other core), the lock the polling goroutine shares with finishing
  handlers (its slow path is a fifth of the profile), the offset tracking. Reading the
  clock was 18% of it on this VM (about 80 ns a read); Run now reads it once per poll, and not at all per
  handler when no process duration is recorded. The rest is the contract's price; on 2 cores shared with
  librdkafka's threads it shows as the gap between the Run rows and the floor.
- **The drop-in Poll path** also emulates librdkafka's automatic offset store (Run needs
  enable.auto.offset.store=false); it is batched (one StoreOffsets every 10 ms), not per message.
- **The poller** at 256 in flight is bound by the handler's own duration, not by the dispatcher or the broker:
  the "slots busy" column (msgs/s × mean call) shows Run and the dispatcher alone keeping 250-256 of the 256
  slots occupied in every run, so msgs/s is 256 ÷ mean call, and what moves between runs of unchanged code is
  the mean call: the 1 ms sleep takes about 1.13 ms alone (the sequential loop) but 1.5-2.0 ms among 256
  sleepers on 2 cores, as the Go runtime's timers fire in batches and each woken goroutine waits behind the
  others of its batch. 150× sequential needs a mean call under about 1.9 ms; a run whose calls average
  2.0 ms misses it with every slot full. The CPU column shows the whole process, the in-process broker's
  threads included, under 1.1 of 2 cores: latency-bound, not CPU-bound. A finishing handler's goroutine runs
  the next message of the slots it frees (each message still has its own ctx and span, and the goroutine to
  itself), and a message with a lane of its own (Unordered, nil keys) costs one allocation. Earlier profiles
  found two real costs, now fixed: pausing partitions on every full buffer (each pause purges librdkafka's
  prefetched messages and costs a refetch: 350 msgs/s with a no-op handler before, 100k+ after), and an
  offset store after every poll (now at most every 5 ms). Repeat the section alone with
  ` + "`cd bench && go run . -only poller`" + `.
- CPU profiles of the broker-backed benchmarks are unreliable here: the profiler's signal can interrupt the
  mock cluster's poll thread (` + "`Mock cluster failed to poll ... Interrupted system call`" + `), after which the
  benchmark hangs; allocation profiles and the fake-source benchmark are not affected.
`

// throughputWhy puts a missed throughput target next to what bounds it:
// for a sampled variant the content floor's ratio to the same floor, and
// for any the Go benchmark's cost per message against the floor's (the
// throughput rounds move by 20% and more between runs on this machine; the
// per-message figures less).
func (r *report) throughputWhy(t throughput, name string) string {
	var parts []string
	if c, ok := t.Figures[contentFloorSampled]; ok && floorOf(name) == "floor sampled" {
		parts = append(parts, fmt.Sprintf("content floor: %.2f× the floor", ratios(c, t.Figures["floor sampled"]).median()))
	}
	path := "consume"
	if strings.HasPrefix(t.Title, "Producer") {
		path = "produce"
	}
	if strings.HasPrefix(t.Title, "Producer, 40 B") || path == "consume" { // the Go benchmarks use 40 B messages
		m, okM := r.micro(path, name)
		f, okF := r.micro(path, floorOf(name))
		if okM && okF {
			parts = append(parts, fmt.Sprintf("Go benchmark: %+.0f%% ns, %+d allocs per message vs the floor",
				(m.NsPerOp/f.NsPerOp-1)*100, m.AllocsPerOp-f.AllocsPerOp))
		}
	}
	if strings.Contains(name, "Run") {
		parts = append(parts, "Run hands each message to a goroutine of its own (below)")
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, "; ")
}

// metricsWhy explains a missed metrics-cost target (see whereMissesComeFrom).
const metricsWhy = "the SDK's per-measurement attribute normalisation (below)"

// metricsUnsampledWhy explains a missed unsampled metrics-cost target.
const metricsUnsampledWhy = "timing an unsampled send takes its report through the router (below)"

// allocsWhy compares the allocation profiles of variant and its floor by
// owner, for a missed allocation target.
func (r *report) allocsWhy(path, variant, floor string) string {
	var k, f *allocProfile
	for i := range r.Allocs {
		a := &r.Allocs[i]
		if a.Path == path && a.Variant == variant {
			k = a
		}
		if a.Path == path && a.Variant == floor {
			f = a
		}
	}
	if k == nil || f == nil {
		return "—"
	}
	var parts []string
	for _, o := range owners {
		if d := k.PerOwner[o] - f.PerOwner[o]; d >= 0.5 || d <= -0.5 {
			parts = append(parts, fmt.Sprintf("%s %+.0f", o, d))
		}
	}
	return "allocation profile vs the floor: " + strings.Join(parts, ", ")
}

// Run256ByKey and Run256Unordered name the poller cases the ≥150× targets
// are about.
var (
	Run256ByKey     = pollerCase{ordering: poller.ByKey, inFlight: 256}.String()
	Run256Unordered = pollerCase{ordering: poller.Unordered, inFlight: 256}.String()
)

func environment() []string {
	env := []string{
		fmt.Sprintf("%s, GOMAXPROCS %d, %s/%s", cpuModel(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH),
		"memory: " + memTotal(),
		"Go " + runtime.Version(),
	}
	_, lib := kafka.LibraryVersion()
	env = append(env, "librdkafka "+lib)
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			switch d.Path {
			case "github.com/confluentinc/confluent-kafka-go/v2", "go.opentelemetry.io/otel", "go.opentelemetry.io/otel/sdk":
				env = append(env, d.Path+" "+d.Version)
			}
		}
	}
	env = append(env, "date: "+time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	return env
}

func cpuModel() string {
	out, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	n := 0
	model := ""
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "processor") {
			n++
		}
		if v, ok := strings.CutPrefix(line, "model name"); ok && model == "" {
			model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
		}
	}
	return fmt.Sprintf("%d × %s", n, model)
}

func memTotal() string {
	out, err := exec.Command("free", "-h").Output()
	if err != nil {
		return "?"
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "Mem:") {
			if f := strings.Fields(line); len(f) > 1 {
				return f[1]
			}
		}
	}
	return "?"
}
