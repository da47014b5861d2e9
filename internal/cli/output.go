package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"
)

// newJSON returns an encoder writing one JSON object per line to w, with
// <, > and & left as they are.
func newJSON(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}

// fmtAge is a duration for people: 850ms, 2.5s, 3m12s, 5h03m, 3d04h.
func fmtAge(d time.Duration) string {
	if d < 0 {
		return "-" + fmtAge(-d) + " (timestamp in the future: clock skew?)"
	}
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Hour:
		d = d.Round(time.Second)
		return fmt.Sprintf("%dm%02ds", d/time.Minute, d%time.Minute/time.Second)
	case d < 48*time.Hour:
		d = d.Round(time.Minute)
		return fmt.Sprintf("%dh%02dm", d/time.Hour, d%time.Hour/time.Minute)
	default:
		d = d.Round(time.Hour)
		return fmt.Sprintf("%dd%02dh", d/(24*time.Hour), d%(24*time.Hour)/time.Hour)
	}
}

// syncWriter serialises writes to w: librdkafka logs (-v) and errors may
// reach stderr from two goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// Write writes p to the underlying writer under the lock.
func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
