package telemetry

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const ordersOff = `
exporter: {type: none}
sampling:
  rules:
    - {topic: orders, ratio: 0}
`

const ordersOn = `
exporter: {type: none}
sampling:
  rules:
    - {topic: orders, ratio: 1, untrusted: true}
`

// reloads returns an option reporting every reload attempt on a channel,
// and a function waiting for the next one with a bounded deadline.
func reloads(t *testing.T) (Option, func() error) {
	ch := make(chan error, 16)
	opt := withReloadHook(func(err error) { ch <- err })
	return opt, func() error {
		t.Helper()
		select {
		case err := <-ch:
			return err
		case <-time.After(10 * time.Second):
			t.Fatal("no reload within 10s")
			return nil
		}
	}
}

func TestReloadOnFileChange(t *testing.T) {
	errs := captureErrors(t)
	path := newConfigFile(t, ordersOff)
	hook, next := reloads(t)
	start(t, WithConfigFile(path), WithReloadInterval(5*time.Millisecond), hook)
	require.Equal(t, 0, countSampled("orders", 50))

	writeConfig(t, path, ordersOn)
	require.NoError(t, next())
	assert.Equal(t, 50, countSampled("orders", 50), "new ratio applies without restart")

	// A broken edit keeps the rules in force and reaches otel.Handle.
	writeConfig(t, path, ordersOff+"    - {topic: audit, ratio: 2}\n")
	err := next()
	assert.ErrorContains(t, err, "sampling.rules[1].ratio")
	assert.ErrorContains(t, err, "keeping the current sampling rules")
	select {
	case handled := <-errs:
		assert.Equal(t, err, handled)
	default:
		t.Error("otel.Handle did not receive the reload error")
	}
	assert.Equal(t, 50, countSampled("orders", 50), "old rules kept")

	writeConfig(t, path, ordersOff+"sampling_typo: 1\n")
	assert.ErrorContains(t, next(), "sampling_typo: unknown key")
	assert.Equal(t, 50, countSampled("orders", 50), "old rules kept")

	// Fixing the file applies it.
	writeConfig(t, path, ordersOff)
	require.NoError(t, next())
	assert.Equal(t, 0, countSampled("orders", 50))
}

// A file seen half written is not applied: a change must hold for one tick.
func TestReloadWaitsForAStableFile(t *testing.T) {
	path := newConfigFile(t, ordersOff)
	s := newTestSampler(t, ordersOff)
	var got []error
	w := &watcher{path: path, getenv: func(string) string { return "" }, sampler: s,
		after: func(err error) { got = append(got, err) }, last: []byte(ordersOff)}

	writeConfig(t, path, "exporter: {type: none}\nsampling:\n  rules:\n")
	w.reload(false)
	assert.Empty(t, got, "first sight of a change is not applied")
	writeConfig(t, path, ordersOn)
	w.reload(false)
	assert.Empty(t, got, "the content changed again")
	w.reload(false)
	require.Equal(t, []error{nil}, got, "stable for one tick")
	assert.True(t, s.Untrusted("orders"))
	w.reload(false)
	assert.Len(t, got, 1, "unchanged content is not reloaded")
	w.reload(true)
	assert.Len(t, got, 2, "a signal forces a reload")
}

func TestReloadReportsAMissingFileOnce(t *testing.T) {
	errs := captureErrors(t)
	path := newConfigFile(t, ordersOff)
	s := newTestSampler(t, ordersOff)
	var got []error
	w := &watcher{path: path + ".gone", getenv: func(string) string { return "" }, sampler: s,
		after: func(err error) { got = append(got, err) }, last: []byte(ordersOff)}
	w.reload(false)
	w.reload(false)
	require.Len(t, got, 1)
	assert.ErrorContains(t, got[0], ".gone")
	assert.Len(t, errs, 1)
	assert.False(t, s.Untrusted("orders"))
}

// withNotify replaces signal.Notify, to see which signals Start asks for.
func withNotify(f func(chan<- os.Signal, ...os.Signal)) Option {
	return optionFunc(func(o *options) { o.notify = f })
}

// Signal handling is process-wide, so Start asks for no signal unless told.
func TestNoReloadSignalsByDefault(t *testing.T) {
	var asked [][]os.Signal
	notify := withNotify(func(_ chan<- os.Signal, sig ...os.Signal) { asked = append(asked, sig) })
	path := newConfigFile(t, ordersOff)

	start(t, WithConfigFile(path), notify)
	assert.Empty(t, asked, "no signal registered by default")

	start(t, WithConfigFile(path), WithReloadSignals(os.Interrupt), WithReloadSignals(), notify)
	assert.Empty(t, asked, "WithReloadSignals() with no signals restores the default")

	start(t, WithConfigFile(path), WithReloadSignals(os.Interrupt), notify)
	assert.Equal(t, [][]os.Signal{{os.Interrupt}}, asked, "only the signals asked for")
}
