package cli

import (
	"runtime/debug"

	"github.com/kafkatrace/kafkatrace/interceptor"
)

// version is the module version the command was built from, or the
// library's version for a build from a work tree.
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return interceptor.Version
}
