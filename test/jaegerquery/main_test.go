package jaegerquery_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The trace in testdata/trace.json: Jaeger's answer for the demo's
// orders → payments → notifications trace, plus a batch span linked to
// three send spans.
const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"

// jaeger is a stand-in for Jaeger's query service: it answers every request
// with handler and counts the requests.
type jaeger struct {
	*httptest.Server
	requests atomic.Int32
	lastPath atomic.Value
}

func newJaeger(t *testing.T, handler http.HandlerFunc) *jaeger {
	t.Helper()
	j := &jaeger{}
	j.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		j.requests.Add(1)
		j.lastPath.Store(r.URL.Path)
		handler(w, r)
	}))
	t.Cleanup(j.Close)
	return j
}

// serve returns a handler answering with status and body as JSON.
func serve(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

func recorded(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return string(b)
}

// assertOneLine fails unless err's message is one clear line naming base.
func assertOneLine(t *testing.T, err error, base string) {
	t.Helper()
	require.Error(t, err)
	msg := err.Error()
	assert.NotContains(t, msg, "\n")
	assert.NotContains(t, msg, "\r")
	assert.Less(t, len(msg), 500, msg)
	if base != "" {
		assert.Contains(t, msg, base, "the error names the Jaeger it asked")
	}
	assert.False(t, strings.HasPrefix(msg, "Get "), "not Go's raw url.Error text: %s", msg)
}
