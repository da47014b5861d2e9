//go:build !unix

package telemetry

import "os"

func reloadSignals() []os.Signal { return nil }
