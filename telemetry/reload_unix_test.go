//go:build unix

package telemetry

import (
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReloadOnSIGHUP(t *testing.T) {
	path := newConfigFile(t, ordersOff)
	hook, next := reloads(t)
	// Polling off: only the signal can reload. SIGHUP is the default.
	start(t, WithConfigFile(path), WithReloadInterval(0), hook)
	require.Equal(t, 0, countSampled("orders", 20))

	writeConfig(t, path, ordersOn)
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGHUP))
	require.NoError(t, next())
	assert.Equal(t, 20, countSampled("orders", 20))
}
