package tracetree_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kafkatrace/kafkatrace/internal/tracetree"
)

var widths = []int{80, 100, 120, 200}

// long is a trace with long service and span names, a wide fan-out and a
// chain 40 deep.
func long() []tracetree.Span {
	var spans []tracetree.Span
	id := func(i int) string { return fmt.Sprintf("%016x", i+1) }
	spans = append(spans, span(id(0), "", "checkout-service-eu-west-1-production-canary", "POST /api/v2/checkout/{cartId}/confirm-and-pay", 0, 900,
		"messaging.consumer.group.name", strings.Repeat("a-very-long-consumer-group-name-", 4)))
	for i := 1; i <= 40; i++ {
		spans = append(spans, span(id(i), id(i-1), fmt.Sprintf("service-number-%d-with-a-long-name", i),
			fmt.Sprintf("process orders.v%d.events-with-a-really-long-topic-name", i), float64(i*20), 50,
			"messaging.destination.partition.id", fmt.Sprint(i), "messaging.kafka.offset", fmt.Sprint(1_000_000_000+i),
			"messaging.consumer.group.name", "group-"+fmt.Sprint(i), "kafkatrace.message.time_in_queue_ms", "12345"))
	}
	for i := 41; i < 50; i++ { // siblings under the root
		s := span(id(i), id(0), "fan-out", "send notifications.sms.provider-callbacks", float64(i*10), 5)
		s.Links = []string{id(1), id(2)}
		spans = append(spans, s)
	}
	return spans
}

func TestRenderFitsWidth(t *testing.T) {
	for _, width := range widths {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			lines := render(t, long(), tracetree.Options{Width: width, Link: "http://jaeger.example.com:16686/trace/" + traceID})
			assertSafe(t, lines, width)
			require.Len(t, lines, 2+50)
			if width == 120 {
				t.Logf("\n%s", strings.Join(lines, "\n"))
			}
			for _, l := range lines[2:] {
				assert.Regexp(t, `\|[ █]{8,}\| +[0-9.]+m?s`, l, "every line keeps a bar of 8 cells or more and its duration")
			}
			// The deepest lines elide their outer levels but keep some of
			// the name and the branch.
			assert.Contains(t, lines[2+40], "└─ process", "depth 40")
			assert.Contains(t, lines[2+40], "…", "depth 40")
			assert.Contains(t, lines[2+41], "├─ send", "first of the fan-out")
			assert.Contains(t, lines[len(lines)-1], "└─ send", "last of the fan-out")
		})
	}
}

func TestRenderUsesWideTerminals(t *testing.T) {
	narrow := render(t, long(), tracetree.Options{Width: 80})
	wide := render(t, long(), tracetree.Options{Width: 200})
	assert.Greater(t, cols(wide[5]), cols(narrow[5]))
	assert.Contains(t, wide[1], "POST /api/v2/checkout/{cartId}/confirm-and-pay", "a whole name at 200 columns")
	assert.Contains(t, wide[1], "  checkout-service-eu-wes… ", "more of the service at 200 columns")
	assert.Contains(t, narrow[1], "  check… ")
}

func TestRenderWidthDefaults(t *testing.T) {
	def := render(t, long(), tracetree.Options{})
	assert.Equal(t, render(t, long(), tracetree.Options{Width: 80}), def, "0 means 80")
	assert.Equal(t, def, render(t, long(), tracetree.Options{Width: -1}), "negative means 80")
	narrow := render(t, long(), tracetree.Options{Width: 10})
	assertSafe(t, narrow, tracetree.MinWidth)
	assert.Equal(t, render(t, long(), tracetree.Options{Width: tracetree.MinWidth}), narrow, "below MinWidth is MinWidth")
	for w := tracetree.MinWidth; w < 80; w += 7 {
		assertSafe(t, render(t, long(), tracetree.Options{Width: w}), w)
		assertSafe(t, render(t, demo(), tracetree.Options{Width: w}), w)
	}
}

func TestWidthOfFiles(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	require.NoError(t, err)
	defer f.Close()
	t.Setenv("COLUMNS", "")
	assert.Equal(t, 0, tracetree.Width(f), "a file is no terminal")
	assert.Equal(t, 0, tracetree.Width(nil))
	t.Setenv("COLUMNS", "132")
	assert.Equal(t, 132, tracetree.Width(f), "COLUMNS says how wide output that is not a terminal should be")
	t.Setenv("COLUMNS", "wide")
	assert.Equal(t, 0, tracetree.Width(f))
	t.Setenv("COLUMNS", "-5")
	assert.Equal(t, 0, tracetree.Width(f))

	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	defer w.Close()
	t.Setenv("COLUMNS", "")
	assert.Equal(t, 0, tracetree.Width(w), "a pipe is no terminal")
}
