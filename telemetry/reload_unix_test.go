//go:build unix

package telemetry

import (
	"os"
	"os/signal"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReloadOnSIGHUP(t *testing.T) {
	path := newConfigFile(t, ordersOff)
	hook, next := reloads(t)
	// Polling off: only the signal can reload.
	start(t, WithConfigFile(path), WithReloadInterval(0), WithReloadSignals(syscall.SIGHUP), hook)
	require.Equal(t, 0, countSampled("orders", 20))

	writeConfig(t, path, ordersOn)
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGHUP))
	require.NoError(t, next())
	assert.Equal(t, 20, countSampled("orders", 20))
}

// Without WithReloadSignals, a real SIGHUP reaches the application's own
// handler only; Start does not reload on it. (The test catches SIGHUP
// itself, so that the signal cannot end the test process.)
func TestSIGHUPIsTheApplicationsByDefault(t *testing.T) {
	own := make(chan os.Signal, 1)
	signal.Notify(own, syscall.SIGHUP)
	defer signal.Stop(own)

	path := newConfigFile(t, ordersOff)
	reloaded := make(chan error, 1)
	start(t, WithConfigFile(path), WithReloadInterval(0), withReloadHook(func(err error) { reloaded <- err }))
	writeConfig(t, path, ordersOn)
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGHUP))
	select {
	case <-own:
	case <-time.After(10 * time.Second):
		t.Fatal("the test's own handler got no SIGHUP")
	}
	select {
	case err := <-reloaded:
		t.Fatalf("Start reloaded on SIGHUP without WithReloadSignals (err %v)", err)
	case <-time.After(100 * time.Millisecond):
	}
	assert.Equal(t, 0, countSampled("orders", 20), "the old rules are still in force")
}
