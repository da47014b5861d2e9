package interceptor_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/goleak"
)

// spanLedger is a span processor that counts starts and ends and remembers
// which spans are still open, so a fault test can say which span leaked.
type spanLedger struct {
	mu      sync.Mutex
	started int
	ended   int
	unknown int // ends of spans never seen starting (or ended twice)
	open    map[trace.SpanID]string
}

var _ sdktrace.SpanProcessor = (*spanLedger)(nil)

func newLedger() *spanLedger { return &spanLedger{open: map[trace.SpanID]string{}} }

func (l *spanLedger) OnStart(_ context.Context, s sdktrace.ReadWriteSpan) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.started++
	l.open[s.SpanContext().SpanID()] = s.Name()
}

func (l *spanLedger) OnEnd(s sdktrace.ReadOnlySpan) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ended++
	id := s.SpanContext().SpanID()
	if _, ok := l.open[id]; !ok {
		l.unknown++
	}
	delete(l.open, id)
}

func (l *spanLedger) Shutdown(context.Context) error   { return nil }
func (l *spanLedger) ForceFlush(context.Context) error { return nil }

// counts returns started, ended and open spans.
func (l *spanLedger) counts() (started, ended, open int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.started, l.ended, len(l.open)
}

// openNames summarises the open spans by name.
func (l *spanLedger) openNames() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	byName := map[string]int{}
	for _, n := range l.open {
		byName[n]++
	}
	var out []string
	for n, c := range byName {
		out = append(out, fmt.Sprintf("%s×%d", n, c))
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// accounting is what every fault test reports: messages sent, received and
// duplicated (filled in by the test), spans left open and goroutines left.
type accounting struct {
	t          *testing.T
	ledger     *spanLedger
	sent       atomic.Int64
	received   atomic.Int64 // distinct messages handled or delivered
	duplicated atomic.Int64 // messages handled more than once
	notes      []string
}

// account starts the accounting of a fault test. Call it first in the test:
// its check runs after every other cleanup (producers and clusters closed),
// asserts that no span is open and that no goroutine started during the test
// is left, and logs one line of figures starting with FIGURES.
func account(t *testing.T) *accounting {
	a := &accounting{t: t, ledger: newLedger()}
	before := goleak.IgnoreCurrent() // a leak of an earlier test is that test's failure
	t.Cleanup(func() {
		started, ended, open := a.ledger.counts()
		left := 0
		err := goleak.Find(before)
		if err != nil {
			left = strings.Count(err.Error(), "Goroutine ")
		}
		t.Logf("FIGURES %s: sent=%d received=%d duplicated=%d spans started=%d ended=%d open=%d goroutines left=%d%s",
			t.Name(), a.sent.Load(), a.received.Load(), a.duplicated.Load(), started, ended, open, left,
			strings.Join(a.notes, ""))
		if open != 0 {
			t.Errorf("%d spans left open: %s", open, a.ledger.openNames())
		}
		if a.ledger.unknown != 0 {
			t.Errorf("%d span ends without a start", a.ledger.unknown)
		}
		if err != nil {
			t.Errorf("goroutines leaked: %v", err)
		}
	})
	return a
}

// option adds the ledger to a TracerProvider built by recorder.
func (a *accounting) option() sdktrace.TracerProviderOption {
	return sdktrace.WithSpanProcessor(a.ledger)
}

// note adds "key=value" to the figures line.
func (a *accounting) note(format string, args ...any) {
	a.notes = append(a.notes, " "+fmt.Sprintf(format, args...))
}
