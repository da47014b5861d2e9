package interceptor_test

import (
	"testing"

	"go.uber.org/goleak"
)

// The package's own tests are its runnable examples; the behaviour tests,
// which need the OpenTelemetry SDK, live in the module under test/ so that
// this module's go.mod requires the API only.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
