package main

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
)

// The allocation profile section: every allocation of a measured path
// (runtime.MemProfileRate = 1), per message, attributed to the code that
// made it. It is the profile behind the targets the content of the spans
// puts out of reach: it shows whose allocations the distance from the floor
// is made of. Allocation profiles are exact and not disturbed by the
// machine's noise, unlike CPU profiles, which the in-process broker does not
// survive (see "Where the costs above the floor come from").

// owner names whose code made an allocation.
type owner string

const (
	ownKafkatrace owner = "kafkatrace"
	ownSDK        owner = "OpenTelemetry SDK"
	ownAPI        owner = "OpenTelemetry API"
	ownConfluent  owner = "confluent-kafka-go"
	ownHarness    owner = "benchmark harness"
	ownOther      owner = "other"
)

var owners = []owner{ownKafkatrace, ownSDK, ownAPI, ownConfluent, ownHarness, ownOther}

// allocSite is one place allocating: the innermost function outside Go's
// standard library (slices.Grow inside the SDK counts as the SDK's), and the
// kafkatrace function on whose behalf it ran, if any.
type allocSite struct {
	Owner    owner
	Function string
	Via      string // innermost kafkatrace (non-harness) function on the stack; "" if none
}

// allocProfile is the per-message allocation profile of one variant.
type allocProfile struct {
	Path, Variant string
	Messages      int
	PerOwner      map[owner]float64
	Sites         map[allocSite]float64
}

func (a allocProfile) total() float64 {
	t := 0.0
	for _, v := range a.PerOwner {
		t += v
	}
	return t
}

// profileAllocs runs fn, which handles n messages, with every allocation
// recorded, and returns the allocations it made (any goroutine's, the
// SDK's exporter and librdkafka's Go callbacks included) per message.
func profileAllocs(path, variant string, n int, fn func() error) (allocProfile, error) {
	prev := runtime.MemProfileRate
	runtime.MemProfileRate = 1
	defer func() { runtime.MemProfileRate = prev }()
	before := memRecords()
	if err := fn(); err != nil {
		return allocProfile{}, err
	}
	after := memRecords()
	prof := allocProfile{Path: path, Variant: variant, Messages: n, PerOwner: map[owner]float64{}, Sites: map[allocSite]float64{}}
	for stack, objs := range after {
		d := objs - before[stack]
		if d <= 0 {
			continue
		}
		site := siteOf(stack)
		per := float64(d) / float64(n)
		prof.PerOwner[site.Owner] += per
		prof.Sites[site] += per
	}
	return prof, nil
}

// stackKey identifies a profile record by its call stack.
type stackKey [32]uintptr

// memRecords returns the allocation counts of the memory profile by stack.
// The runtime publishes a record only once a GC cycle has completed after
// the allocation, hence the two cycles.
func memRecords() map[stackKey]int64 {
	runtime.GC()
	runtime.GC()
	var recs []runtime.MemProfileRecord
	n, _ := runtime.MemProfile(nil, true)
	for {
		recs = make([]runtime.MemProfileRecord, n+64)
		var ok bool
		n, ok = runtime.MemProfile(recs, true)
		if ok {
			recs = recs[:n]
			break
		}
	}
	out := make(map[stackKey]int64, len(recs))
	for _, r := range recs {
		var k stackKey
		copy(k[:], r.Stack0[:])
		out[k] += r.AllocObjects
	}
	return out
}

const (
	modKafkatrace = "github.com/kafkatrace/kafkatrace/"
	modHarness    = "github.com/kafkatrace/kafkatrace/bench."
	modSDK        = "go.opentelemetry.io/otel/sdk/"
	modAPI        = "go.opentelemetry.io/otel"
	modConfluent  = "github.com/confluentinc/"
)

// siteOf attributes a stack (innermost frame first) to its allocation site.
func siteOf(stack stackKey) allocSite {
	pcs := stack[:]
	if i := slices.Index(pcs, 0); i >= 0 {
		pcs = pcs[:i]
	}
	frames := runtime.CallersFrames(pcs)
	var site allocSite
	for {
		f, more := frames.Next()
		fn := f.Function
		switch {
		case site.Owner == "" && !standardLibrary(fn):
			site.Owner, site.Function = ownerOf(fn), shortName(fn)
			if site.Owner == ownKafkatrace {
				site.Via = site.Function
			}
		case site.Owner != "" && site.Via == "" && ownerOf(fn) == ownKafkatrace:
			site.Via = shortName(fn)
		}
		if !more || (site.Owner != "" && site.Via != "") {
			break
		}
	}
	if site.Owner == "" {
		site.Owner, site.Function = ownOther, "Go runtime"
	}
	return site
}

// standardLibrary reports whether fn belongs to Go's standard library: its
// import path's first element has no dot (runtime.mallocgc,
// internal/bytealg.MakeNoZero), and it is not the bench program's own
// package main.
func standardLibrary(fn string) bool {
	if strings.HasPrefix(fn, "main.") {
		return false
	}
	first := fn
	if i := strings.IndexByte(fn, '/'); i >= 0 {
		first = fn[:i]
	} else if i := strings.IndexByte(fn, '.'); i >= 0 {
		first = fn[:i]
	}
	return !strings.Contains(first, ".")
}

func ownerOf(fn string) owner {
	switch {
	case strings.HasPrefix(fn, modHarness), strings.HasPrefix(fn, "main."):
		return ownHarness
	case strings.HasPrefix(fn, modKafkatrace):
		return ownKafkatrace
	case strings.HasPrefix(fn, modSDK):
		return ownSDK
	case strings.HasPrefix(fn, modAPI):
		return ownAPI
	case strings.HasPrefix(fn, modConfluent):
		return ownConfluent
	}
	return ownOther
}

// shortName drops a function name's import path up to its package:
// go.opentelemetry.io/otel/sdk/trace.(*tracer).Start becomes
// trace.(*tracer).Start.
func shortName(fn string) string {
	if i := strings.LastIndex(fn, "/"); i >= 0 {
		return fn[i+1:]
	}
	return fn
}

// allocTables renders the allocation profiles: allocations per message by
// owner for every profiled variant, then the sites of the kafkatrace
// variants.
func allocTables(profiles []allocProfile) string {
	if len(profiles) == 0 {
		return ""
	}
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("## Allocation profile: whose allocations the distance from the floor is made of\n\n")
	w("Every allocation of the path (`runtime.MemProfileRate = 1`), any goroutine's (the SDK's batch processor and\n")
	w("confluent-kafka-go's event goroutine included), divided by the messages handled: %d per variant, produced or\n", profiles[0].Messages)
	w("consumed as in the throughput tables. An allocation belongs to the innermost function outside Go's standard\n")
	w("library that made it (`slices.Grow` inside the SDK counts as the SDK's); \"on behalf of\" is the kafkatrace\n")
	w("function further up the stack. The receive and send paths' own allocations are the \"kafkatrace\" column;\n")
	w("everything else is paid inside the OpenTelemetry SDK and API or confluent-kafka-go, by whoever records the\n")
	w("same content. Repeat with `cd bench && go run . -only allocs`.\n\n")
	w("| path | variant | allocs/msg |")
	for _, o := range owners {
		w(" %s |", o)
	}
	w("\n|---|---|---:|%s\n", strings.Repeat("---:|", len(owners)))
	for _, p := range profiles {
		w("| %s | %s | %.1f |", p.Path, p.Variant, p.total())
		for _, o := range owners {
			w(" %.1f |", p.PerOwner[o])
		}
		w("\n")
	}
	w("\n")
	for _, p := range profiles {
		if !strings.HasPrefix(p.Variant, "kafkatrace") {
			continue
		}
		w("Sites of %s %s (≥ 0.1 per message):\n\n", p.Path, p.Variant)
		w("| owner | allocating function | on behalf of | allocs/msg |\n|---|---|---|---:|\n")
		type row struct {
			s allocSite
			v float64
		}
		var rows []row
		for s, v := range p.Sites {
			if v >= 0.1 {
				rows = append(rows, row{s, v})
			}
		}
		slices.SortFunc(rows, func(a, b row) int {
			if a.s.Owner != b.s.Owner {
				return slices.Index(owners, a.s.Owner) - slices.Index(owners, b.s.Owner)
			}
			if a.v != b.v {
				if a.v > b.v {
					return -1
				}
				return 1
			}
			return strings.Compare(a.s.Function+a.s.Via, b.s.Function+b.s.Via)
		})
		for _, r := range rows {
			via := r.s.Via
			if via == "" || via == r.s.Function {
				via = "—"
			}
			w("| %s | `%s` | %s | %.1f |\n", r.s.Owner, r.s.Function, code(via), r.v)
		}
		w("\n")
	}
	return b.String()
}

func code(s string) string {
	if s == "—" {
		return s
	}
	return "`" + s + "`"
}
