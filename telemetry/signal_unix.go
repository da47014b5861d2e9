//go:build unix

package telemetry

import (
	"os"
	"syscall"
)

func reloadSignals() []os.Signal { return []os.Signal{syscall.SIGHUP} }
