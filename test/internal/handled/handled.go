// Package handled collects what reaches otel.Handle during a test, for the
// behaviour tests of every package.
package handled

import (
	"sync"
	"testing"

	"go.opentelemetry.io/otel"
)

// Errors installs an error handler that collects what reaches otel.Handle
// until the test ends, when the previous handler is restored. The returned
// function returns a copy of what was collected so far.
func Errors(t testing.TB) func() []error {
	t.Helper()
	var mu sync.Mutex
	var errs []error
	prev := otel.GetErrorHandler()
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		mu.Lock()
		defer mu.Unlock()
		errs = append(errs, err)
	}))
	t.Cleanup(func() { otel.SetErrorHandler(prev) })
	return func() []error {
		mu.Lock()
		defer mu.Unlock()
		return append([]error(nil), errs...)
	}
}
