package telemetry

import (
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"go.opentelemetry.io/otel"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// The tests set the environment they depend on; none may leak in.
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "OTEL_") || name == ConfigEnv {
			_ = os.Unsetenv(name)
		}
	}
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		if f := errorSink.Load(); f != nil {
			(*f)(err)
		}
	}))
	goleak.VerifyTestMain(m)
}

var errorSink atomic.Pointer[func(error)]

// captureErrors returns a channel receiving what otel.Handle gets until the
// test ends.
func captureErrors(t *testing.T) <-chan error {
	ch := make(chan error, 1024)
	f := func(err error) {
		select {
		case ch <- err:
		default:
		}
	}
	errorSink.Store(&f)
	t.Cleanup(func() { errorSink.Store(nil) })
	return ch
}
