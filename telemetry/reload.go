package telemetry

import (
	"bytes"
	"fmt"
	"os"
	"os/signal"
	"time"

	"go.opentelemetry.io/otel"

	"github.com/kafkatrace/kafkatrace/sampling"
)

// watcher reloads the sampling rules from the config file when its content
// changes or a reload signal arrives. It polls instead of using inotify:
// reading a small file every few seconds costs nothing, and polling sees
// changes inotify misses or reports confusingly (editors that save by
// rename, Kubernetes ConfigMaps that swap a symlink, network and overlay
// file systems), without another dependency.
type watcher struct {
	path    string
	getenv  func(string) string
	sampler *sampling.Sampler
	after   func(error)

	last    []byte // content last applied or rejected
	pending []byte // changed content seen at the previous tick
	waiting bool   // pending is set
	lastErr string // read error last reported

	stop chan struct{}
	done chan struct{}
}

func startWatcher(path string, content []byte, o options, s *sampling.Sampler) *watcher {
	w := &watcher{
		path:    path,
		getenv:  o.getenv,
		sampler: s,
		after:   o.afterReload,
		last:    content,
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	var tick <-chan time.Time
	var ticker *time.Ticker
	if o.interval > 0 {
		ticker = time.NewTicker(o.interval)
		tick = ticker.C
	}
	var sigc chan os.Signal
	if len(o.signals) > 0 {
		sigc = make(chan os.Signal, 1)
		o.notify(sigc, o.signals...)
	}
	go func() {
		defer close(w.done)
		defer func() {
			if ticker != nil {
				ticker.Stop()
			}
			if sigc != nil {
				signal.Stop(sigc)
			}
		}()
		for {
			select {
			case <-w.stop:
				return
			case <-tick:
				w.reload(false)
			case <-sigc:
				w.reload(true)
			}
		}
	}()
	return w
}

// close stops the watcher and waits for its goroutine to end.
func (w *watcher) close() {
	close(w.stop)
	<-w.done
}

// reload swaps in the file's rules when forced, or when the file changed
// and then stayed the same for one tick: a file caught half written is not
// applied. Errors keep the current rules and go to otel.Handle.
func (w *watcher) reload(force bool) {
	data, err := os.ReadFile(w.path)
	if err != nil {
		// Report a failing read once, not at every tick.
		if msg := err.Error(); force || msg != w.lastErr {
			w.lastErr = msg
			w.report(fmt.Errorf("telemetry: reload: %w; keeping the current sampling rules", err))
		}
		return
	}
	w.lastErr = ""
	if !force {
		if bytes.Equal(data, w.last) {
			w.pending, w.waiting = nil, false
			return
		}
		if !w.waiting || !bytes.Equal(data, w.pending) {
			w.pending, w.waiting = data, true
			return
		}
	}
	w.last, w.pending, w.waiting = data, nil, false
	cfg, err := resolveConfig(data, w.getenv)
	if err != nil {
		w.report(fmt.Errorf("telemetry: reload %s: %w; keeping the current sampling rules", w.path, err))
		return
	}
	rs, err := cfg.Sampling.compile() // cannot fail: resolveConfig validated it
	if err != nil {
		w.report(err)
		return
	}
	w.sampler.Swap(rs)
	w.report(nil)
}

// report reports the outcome of one reload attempt.
func (w *watcher) report(err error) {
	if err != nil {
		otel.Handle(err)
	}
	if w.after != nil {
		w.after(err)
	}
}
