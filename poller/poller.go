package poller

import (
	"context"
	"sync"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// Poller polls a Source and runs every message in its own goroutine. Build
// one with New; Run it once.
type Poller struct {
	src     Source
	handler Handler      // New
	batchFn BatchHandler // NewBatch
	cfg     Config

	// base is the parent of every handler ctx: Run's ctx without its
	// cancellation, because cancelling Run stops polling while running
	// handlers get ShutdownTimeout before base is cancelled.
	base       context.Context
	cancelBase context.CancelFunc

	mu          sync.Mutex
	parts       map[tpKey]*partition
	lanes       map[laneKey]*lane
	ready       []*lane
	buffered    int
	running     int
	maxRunning  int
	stopping    bool
	stop        chan struct{} // closed by stopLocked
	room        chan struct{} // signalled when buffer space frees up
	failure     *HandlerError
	idle        chan struct{} // closed when running drops to 0
	paused      int           // partitions paused by back-pressure
	throttled   bool          // the buffer bound has partitions paused
	throttleNow bool          // the buffer stayed full for pauseAfter: pause
	bpCheck     bool          // a back-pressure trigger may have changed
	dirtyParts  []*partition  // partitions to store at the next storeOffsets
	skippedDone int           // messages skipped because a previous owner finished them

	committing chan struct{} // closed when the commit in flight (CommitInterval) ends; nil when none
	nextDue    time.Time     // under NewBatch: the earliest partition.due

	// While finish runs (claiming), the first message it starts is handed
	// to the finishing goroutine (claimed) instead of a new one.
	claiming   bool
	claimed    *work
	claimedCtx context.Context
}

// New returns a poller that feeds src's messages to handler.
func New(src Source, handler Handler, cfg Config) *Poller {
	p := newPoller(src, cfg.withDefaults(false))
	p.handler = handler
	return p
}

// NewBatch returns a poller that feeds src's messages to handler in batches
// (see Config.BatchSize and the package documentation).
func NewBatch(src Source, handler BatchHandler, cfg Config) *Poller {
	p := newPoller(src, cfg.withDefaults(true))
	p.batchFn = handler
	return p
}

func newPoller(src Source, cfg Config) *Poller {
	base, cancel := context.WithCancel(context.Background())
	return &Poller{
		src:        src,
		cfg:        cfg,
		base:       base, // replaced by Run
		cancelBase: cancel,
		parts:      map[tpKey]*partition{},
		lanes:      map[laneKey]*lane{},
		stop:       make(chan struct{}),
		room:       make(chan struct{}, 1),
	}
}

// Stats is a snapshot of the poller's state.
type Stats struct {
	Running    int // handlers running now
	MaxRunning int // the most that ever ran at once
	Buffered   int // polled messages waiting to start
	Paused     int // partitions paused by back-pressure
	Partitions int // partitions with state
	// AlreadyDone counts messages not handed to the handler because the
	// commit metadata said a previous owner had finished them.
	AlreadyDone int
}

// Stats returns a snapshot; safe from any goroutine.
func (p *Poller) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := Stats{Running: p.running, MaxRunning: p.maxRunning, Buffered: p.buffered, Partitions: len(p.parts), AlreadyDone: p.skippedDone}
	s.Paused = p.paused
	return s
}

// Stop asks Run to shut down as if its ctx had been cancelled; safe from any
// goroutine.
func (p *Poller) Stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stopLocked()
}

func (p *Poller) stopLocked() {
	if !p.stopping {
		p.stopping = true
		close(p.stop)
	}
}

// partitionFor returns part's state, creating it on first use. Called with
// p.mu held.
func (p *Poller) partitionFor(k tpKey) *partition {
	part, ok := p.parts[k]
	if !ok {
		part = newPartition(k)
		p.parts[k] = part
		if p.throttled {
			p.bpCheck = true // every partition pauses while throttled
		}
	}
	return part
}

// Run polls until ctx is cancelled, Stop is called, a message fails under
// StopOnFailure, or a fatal error is polled; then it shuts down as the
// package documentation describes. It returns nil after a shutdown asked for
// through ctx or Stop, a *HandlerError after a StopOnFailure failure, the
// fatal kafka.Error, an error from StoreOffsets (for example when the
// consumer stores offsets automatically), or an error wrapping [ErrRewind].
//
// When Run returns, every partition whose polled messages did not all finish
// is rewound (SeekPartitions) to its first unfinished message, so a later Run
// or Poll on the same consumer continues from there and loses nothing; a
// later Run also reads the finished-offsets record committed at shutdown and
// skips the work already done.
//
// Handlers get a ctx that carries ctx's values but not its cancellation.
func (p *Poller) Run(ctx context.Context) error {
	p.mu.Lock()
	p.cancelBase()
	p.base, p.cancelBase = context.WithCancel(context.WithoutCancel(ctx))
	p.mu.Unlock()
	// Partitions assigned before Run (an earlier Run, Assign): their
	// committed records say what a previous Run already finished.
	if parts, err := p.src.Assignment(); err != nil {
		p.reportErr("assignment", err)
	} else {
		p.loadFinished(parts)
	}
	pollMs := int(p.cfg.PollTimeout / time.Millisecond)
	var fatal error
	var fullSince, lastStore time.Time
	lastCommit := time.Now()
	for ctx.Err() == nil && fatal == nil {
		p.mu.Lock()
		stopping, full, paused := p.stopping, p.buffered >= p.cfg.MaxBuffered, p.paused > 0
		p.mu.Unlock()
		if stopping {
			break
		}
		ms := pollMs
		switch {
		case full:
			// Wait for a handler to make room instead of polling more:
			// pausing would purge librdkafka's prefetched messages and
			// cost a refetch. Poll without blocking afterwards, so
			// rebalance callbacks are still served.
			if fullSince.IsZero() {
				fullSince = time.Now()
			}
			p.waitRoom(ctx)
			ms = 0
			if time.Since(fullSince) >= pauseAfter {
				p.throttle()
			}
		case paused:
			fullSince = time.Time{}
			ms = pausedPollMs
		default:
			fullSince = time.Time{}
		}
		if p.batchFn != nil {
			ms = p.batchTimeout(ms)
		}
		ev := p.src.Poll(ms)
		now := time.Now() // one clock read per poll: the clock is not free on every machine
		switch e := ev.(type) {
		case nil:
		case *kafka.Message:
			if e.TopicPartition.Error != nil {
				p.event(e)
				break
			}
			p.mu.Lock()
			// Tracked even while stopping, so that the position is
			// rewound over it when Run returns.
			p.enqueue(e, now)
			p.mu.Unlock()
		case kafka.Error:
			p.event(e)
			if e.IsFatal() {
				fatal = e
			}
		default:
			p.event(e)
		}
		if now.Sub(lastStore) >= storeInterval {
			lastStore = now
			if err := p.storeOffsets(); err != nil {
				fatal = err
			}
		}
		if p.cfg.CommitInterval > 0 && now.Sub(lastCommit) >= p.cfg.CommitInterval {
			lastCommit = now
			p.commitFinished()
		}
		p.backpressure()
	}
	err := p.shutdown()
	if fatal != nil {
		return fatal
	}
	return err
}

// pauseAfter is how long the buffer must stay full (handlers not keeping up
// at all) before the partitions with a backlog are paused.
const pauseAfter = time.Second

// storeInterval is the least time between two offset stores: auto-commit
// sends them every few seconds, and revoke and shutdown store afresh.
const storeInterval = 5 * time.Millisecond

// waitRoom waits until a handler frees buffer space, ctx is done, Stop is
// called, or PollTimeout passes.
func (p *Poller) waitRoom(ctx context.Context) {
	t := time.NewTimer(p.cfg.PollTimeout)
	defer t.Stop()
	select {
	case <-p.room:
	case <-p.stop:
	case <-ctx.Done():
	case <-t.C:
	}
}

// pausedPollMs is the Poll timeout while back-pressure has partitions paused.
const pausedPollMs = 1

func (p *Poller) event(ev kafka.Event) {
	if p.cfg.OnEvent != nil {
		p.cfg.OnEvent(ev)
	}
}
