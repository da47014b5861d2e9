package tracetree_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kafkatrace/kafkatrace/internal/tracetree"
)

// Names and attribute values come from other services: whatever they hold,
// the output moves no cursor, sets no colour and wraps no line.
func TestRenderHostileText(t *testing.T) {
	hostile := map[string]string{
		"escapes":      "\x1b[2J\x1b[H\x1b]0;pwned\x07\x1b[31mred\x1b[0m",
		"controls":     "a\x00b\x07c\x08d\x7fe\u0085f\u009bg",
		"line breaks":  "first\nsecond\r\nthird\tfourth\u2028fifth",
		"invalid":      "bad\xff\xfe\xc0bytes\xe2\x82",
		"bidi":         "\u202eevil\u202c\u2066x\u2069\u200b\ufeff",
		"combining":    "z" + strings.Repeat("\u0301\u0316\u0327", 500),
		"wide":         strings.Repeat("注文処理サービス🚀", 12),
		"huge":         strings.Repeat("x", 1<<20),
		"huge invalid": strings.Repeat("\xff", 1<<20),
	}
	for name, text := range hostile {
		t.Run(name, func(t *testing.T) {
			spans := demo()
			spans[3].Name = text
			spans[3].Service = text
			spans[3].Attrs["messaging.consumer.group.name"] = text
			spans[3].Attrs["messaging.destination.partition.id"] = text
			spans[3].Error, spans[3].StatusMessage = true, text
			for _, width := range widths {
				var b strings.Builder
				tracetree.Render(&b, spans, tracetree.Options{Width: width, Link: text})
				out := b.String()
				lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
				require.Len(t, lines, 8, "one line a span: nothing added a line break")
				assertSafe(t, lines, width)
				assert.Less(t, len(out), 16*width*len(lines), "output bounded by the width, not the input")
			}
		})
	}
}

func TestRenderCleansButKeepsText(t *testing.T) {
	spans := demo()
	spans[3].Name = "process\x1b[31m orders\n"
	spans[3].Service = "pay\xffments"
	lines := render(t, spans, tracetree.Options{Width: 200})
	assert.Contains(t, lines[3], "└─ process[31m orders ", "ESC removed, the rest printed")
	assert.Contains(t, lines[3], "pay\uFFFDments", "invalid UTF-8 shown as U+FFFD")
}

func TestRenderWideRunes(t *testing.T) {
	spans := demo()
	spans[3].Name = "注文を処理する"
	spans[3].Service = "決済"
	for _, width := range widths {
		lines := render(t, spans, tracetree.Options{Width: width})
		assertSafe(t, lines, width)
		assert.Equal(t, cols(lines[1][:strings.Index(lines[1], "|")]), cols(lines[3][:strings.Index(lines[3], "|")]),
			"bars line up at %d columns", width)
	}
}

func TestRenderHugeTrace(t *testing.T) {
	// A chain of 20,000 spans: no recursion limit, no quadratic indentation.
	var spans []tracetree.Span
	parent := ""
	for i := range 20000 {
		id := fmt.Sprintf("%016x", i+1)
		spans = append(spans, span(id, parent, "svc", "hop", float64(i)*0.01, 0.01))
		parent = id
	}
	var b strings.Builder
	tracetree.Render(&b, spans, tracetree.Options{Width: 100})
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	require.Len(t, lines, 20001)
	assertSafe(t, lines[len(lines)-3:], 100)
}
