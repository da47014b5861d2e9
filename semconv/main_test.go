package semconv_test

import (
	"testing"

	"go.uber.org/goleak"
)

// The package's own tests are its runnable examples and the internal tests;
// the behaviour tests live in the module under test/ (see its doc), so that
// this module requires no assertion library.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
