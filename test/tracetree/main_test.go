package tracetree_test

import (
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"go.uber.org/goleak"

	"github.com/kafkatrace/kafkatrace/internal/tracetree"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"

// span returns a span of the test trace starting at ms after t0.
func span(id, parent, service, name string, startMS, durMS float64, attrs ...string) tracetree.Span {
	s := tracetree.Span{
		TraceID: traceID, SpanID: id, ParentID: parent, Service: service, Name: name,
		Start:    t0.Add(time.Duration(startMS * float64(time.Millisecond))),
		Duration: time.Duration(durMS * float64(time.Millisecond)),
		Attrs:    map[string]string{},
	}
	for i := 0; i+1 < len(attrs); i += 2 {
		s.Attrs[attrs[i]] = attrs[i+1]
	}
	return s
}

// demo is the demo's trace: orders → payments → notifications, each hop a
// child of the one before.
func demo() []tracetree.Span {
	return []tracetree.Span{
		span("0000000000000005", "0000000000000004", "notifications", "process payments", 24.1, 2.5,
			"messaging.destination.partition.id", "0", "messaging.kafka.offset", "17",
			"messaging.consumer.group.name", "notifications", "kafkatrace.message.time_in_queue_ms", "6"),
		span("0000000000000001", "", "orders", "place order", 0, 2.1),
		span("0000000000000002", "0000000000000001", "orders", "send orders", 0.15, 1.8,
			"messaging.destination.partition.id", "2", "messaging.kafka.offset", "41"),
		span("0000000000000003", "0000000000000002", "payments", "process orders", 9.8, 6.3,
			"messaging.destination.partition.id", "2", "messaging.kafka.offset", "41",
			"messaging.consumer.group.name", "payments", "kafkatrace.message.time_in_queue_ms", "8"),
		span("0000000000000006", "0000000000000005", "notifications", "send notifications", 25.0, 1.4,
			"messaging.destination.partition.id", "1", "messaging.kafka.offset", "9"),
		span("0000000000000004", "0000000000000003", "payments", "send payments", 13.2, 1.7,
			"messaging.destination.partition.id", "0", "messaging.kafka.offset", "17"),
	}
}

// render returns Render's output lines (without the final newline).
func render(t *testing.T, spans []tracetree.Span, opts tracetree.Options) []string {
	t.Helper()
	var b strings.Builder
	tracetree.Render(&b, spans, opts)
	out := b.String()
	if out == "" {
		return nil
	}
	if !strings.HasSuffix(out, "\n") {
		t.Fatalf("output does not end in a newline: %q", out)
	}
	return strings.Split(strings.TrimSuffix(out, "\n"), "\n")
}

// cols returns the columns s takes in a terminal, for the characters these
// tests use: combining marks none, CJK and emoji two, the rest one.
func cols(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Mn, unicode.Me):
		case unicode.In(r, unicode.Han, unicode.Hangul, unicode.Hiragana, unicode.Katakana) || r >= 0x1F300 && r <= 0x1FAFF:
			n += 2
		default:
			n++
		}
	}
	return n
}

// assertSafe fails unless every line fits in width columns and the output
// holds nothing a terminal would act on.
func assertSafe(t *testing.T, lines []string, width int) {
	t.Helper()
	for i, l := range lines {
		if !utf8.ValidString(l) {
			t.Errorf("line %d is not valid UTF-8: %q", i, l)
		}
		for _, r := range l {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Errorf("line %d holds control or format character %U: %q", i, r, l)
				break
			}
		}
		if c := cols(l); c > width {
			t.Errorf("line %d is %d columns, wider than %d: %q", i, c, width, l)
		}
	}
}
