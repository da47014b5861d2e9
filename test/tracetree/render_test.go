package tracetree_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kafkatrace/kafkatrace/internal/tracetree"
)

func TestRenderDemoTrace(t *testing.T) {
	for _, width := range []int{80, 100, 120, 200} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			lines := render(t, demo(), tracetree.Options{Width: width})
			t.Logf("Width %d:\n%s", width, strings.Join(lines, "\n"))
			assertSafe(t, lines, width)
			require.Len(t, lines, 7)
			assert.Equal(t, "trace "+traceID+"  6 spans, 3 services, 26.6ms", lines[0])

			// One line a span in journey order, each nested under the one
			// before, names whole: the tree is what the output is for.
			want := []string{"place order", "send orders", "process orders", "send payments", "process payments", "send notifications"}
			at := -1
			for i, name := range want {
				line := lines[i+1]
				require.Contains(t, line, name)
				assert.Greater(t, strings.Index(line, name), at, "%q is nested under the line before", name)
				at = strings.Index(line, name)
			}
			assert.Contains(t, lines[3], "└─ process orders")
			assert.Contains(t, lines[3], "group=payments", "the most useful detail survives at every width")
			for _, l := range lines[1:] {
				assert.Regexp(t, `\|[ █]+\| +[0-9.]+ms`, l, "a bar and a duration on every line")
			}
		})
	}
}

func TestRenderDetailsInFull(t *testing.T) {
	lines := render(t, demo(), tracetree.Options{Width: 200})
	assert.Contains(t, lines[3], "p2 @41 group=payments queued=8ms")
	assert.Contains(t, lines[5], "p0 @17 group=notifications queued=6ms")
	assert.True(t, strings.HasSuffix(lines[2], "1.8ms  p2 @41"), lines[2])
	assert.True(t, strings.HasSuffix(lines[1], "2.1ms"), "no details, nothing after the duration: %q", lines[1])
}

func TestRenderServiceColumn(t *testing.T) {
	lines := render(t, demo(), tracetree.Options{Width: 120})
	for i, svc := range []string{"orders", "orders", "payments", "payments", "notifications", "notifications"} {
		assert.True(t, strings.HasPrefix(lines[i+1], "  "+svc+" "), "line %d starts with its service: %q", i+1, lines[i+1])
	}
}

func TestRenderBarsFollowTheTimeline(t *testing.T) {
	lines := render(t, demo(), tracetree.Options{Width: 120})
	first := func(l string) int { return strings.Index(l[strings.Index(l, "|"):], "█") }
	assert.Less(t, first(lines[1]), first(lines[3]), "process orders starts after place order")
	assert.Less(t, first(lines[3]), first(lines[6]), "send notifications starts last")
}

func TestRenderLinks(t *testing.T) {
	batch := span("00000000000000d1", "", "audit", "process payments", 0, 5,
		"messaging.consumer.group.name", "audit")
	batch.Links = []string{"0000000000000004", "00000000000000f1", "00000000000000f2"}
	spans := append(demo(), batch)
	for _, width := range []int{80, 120} {
		lines := render(t, spans, tracetree.Options{Width: width})
		assertSafe(t, lines, width)
		assert.Equal(t, 1, strings.Count(strings.Join(lines, "\n"), "links=3"), "width %d", width)
		assert.Contains(t, lines[0], "7 spans, 4 services")
	}
}

func TestRenderError(t *testing.T) {
	spans := demo()
	spans[0].Error = true
	spans[0].StatusMessage = `template "receipt" not found`
	lines := render(t, spans, tracetree.Options{Width: 200})
	assert.Contains(t, lines[5], `queued=6ms ERROR template "receipt" not found`)

	// Short of space, the other details give way before the error does,
	// and its message is shortened rather than dropped.
	spans[0].StatusMessage = strings.Repeat("the broker is gone ", 20)
	lines = render(t, spans, tracetree.Options{Width: 80})
	assertSafe(t, lines, 80)
	assert.Contains(t, lines[5], "ERROR the broke")
	assert.True(t, strings.HasSuffix(lines[5], "…"), lines[5])

	spans[0].StatusMessage = ""
	lines = render(t, spans, tracetree.Options{Width: 120})
	assert.True(t, strings.HasSuffix(lines[5], " ERROR"), lines[5])
}

func TestRenderLink(t *testing.T) {
	link := "http://127.0.0.1:16686/trace/" + traceID
	lines := render(t, demo(), tracetree.Options{Width: 80, Link: link})
	require.Len(t, lines, 8)
	assert.Equal(t, "  "+link, lines[1])
}

func TestRenderDurations(t *testing.T) {
	for _, c := range []struct {
		ms   float64
		want string
	}{
		{0, "0.0ms"}, {0.04, "0.0ms"}, {12.34, "12.3ms"}, {999.9, "999.9ms"},
		{1500, "1.50s"}, {61000, "61.00s"}, {125000, "2m05s"}, {3*3600e3 + 7*60e3, "3h07m"},
	} {
		lines := render(t, []tracetree.Span{span("0000000000000001", "", "svc", "op", 0, c.ms)}, tracetree.Options{})
		assert.True(t, strings.HasSuffix(lines[0], ", "+c.want), "header for %vms: %q", c.ms, lines[0])
		assert.True(t, strings.HasSuffix(lines[1], "| "+c.want), "line for %vms: %q", c.ms, lines[1])
	}
}

func TestRenderOneSpanOneService(t *testing.T) {
	lines := render(t, []tracetree.Span{span("0000000000000001", "", "svc", "op", 0, 1)}, tracetree.Options{})
	assert.Equal(t, "trace "+traceID+"  1 span, 1 service, 1.0ms", lines[0])
}

// The line of a span with no service still lines up with the others.
func TestRenderMissingService(t *testing.T) {
	spans := demo()
	spans[1].Service = ""
	lines := render(t, spans, tracetree.Options{Width: 120})
	assert.Contains(t, lines[0], "6 spans, 3 services")
	assert.Equal(t, cols(lines[2][:strings.Index(lines[2], "|")]), cols(lines[1][:strings.Index(lines[1], "|")]))
}
