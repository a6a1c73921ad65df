package reconcile

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/bgplb/bgplb/config"
	"github.com/bgplb/bgplb/speaker/router"
	"github.com/bgplb/bgplb/speaker/routes"
)

// Snapshot is everything one reconcile reads, as the Kubernetes adapter saw it.
type Snapshot struct {
	// Resources are the configuration objects (and Secrets) in the product namespace.
	Resources config.Resources
	// Node is this node.
	Node routes.Node
	// Services are the LoadBalancer Services this speaker handles (lb-class
	// already applied), with their endpoints.
	Services []routes.Service
}

// Source gives the latest snapshot. An error means there is none to act on (for
// example the caches have not synced yet): the loop then keeps announcing what it
// announces. Sources must never turn an API failure into an empty snapshot.
type Source interface {
	Snapshot() (Snapshot, error)
}

// SourceFunc adapts a function to Source.
type SourceFunc func() (Snapshot, error)

// Snapshot implements Source.
func (f SourceFunc) Snapshot() (Snapshot, error) { return f() }

// Defaults of Options.
const (
	DefaultInterval   = 150 * time.Millisecond
	DefaultPace       = 3
	DefaultRetryAfter = time.Second
)

// Options configure a Loop. Router and Source are required.
type Options struct {
	Router router.Router
	Source Source
	// Namespace is the product namespace (config.Options.Namespace).
	Namespace string
	// Routes are the announce-rule flags (--ignore-exclude-lb).
	Routes routes.Options
	// Interval caps the pause after a pass (see Pace); events during a pause are
	// coalesced into the next pass. Default DefaultInterval.
	Interval time.Duration
	// Pace sets the pause after a pass to Pace times what the pass took (at most
	// Interval): a change after an idle moment is applied at once, and a burst of
	// events costs the loop at most 1/(1+Pace) of a core however many Services
	// exist. Default DefaultPace.
	Pace int
	// RetryAfter is when a failed reconcile is tried again. Default DefaultRetryAfter.
	RetryAfter time.Duration
	// Observer, when set, gets every Report (on the worker goroutine: keep it short).
	Observer func(Report)
	Logger   *slog.Logger
	Now      func() time.Time
}

// Loop reconciles snapshots into router calls. Reconcile may be called directly
// (tests, benchmarks); Run is the coalescing worker the binary uses.
type Loop struct {
	o     Options
	log   *slog.Logger
	dirty chan struct{}

	mu        sync.Mutex // one reconcile at a time; guards everything below
	seq       uint64
	running   routes.State    // what the router has applied, as far as we know
	peersOK   bool            // running's sessions are what SetPeers last applied
	applied   []router.Peer   // what SetPeers last applied, for Shutdown
	stale     map[string]bool // peers whose routes must be handed over again
	lastGood  *config.Config
	announced map[string]bool
	last      Report
	closed    bool
}

// New returns a Loop with nothing applied yet.
func New(o Options) (*Loop, error) {
	if o.Router == nil || o.Source == nil {
		return nil, errors.New("reconcile: Options.Router and Options.Source are required")
	}
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.RetryAfter <= 0 {
		o.RetryAfter = DefaultRetryAfter
	}
	if o.Pace <= 0 {
		o.Pace = DefaultPace
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Loop{
		o: o, log: log, dirty: make(chan struct{}, 1),
		running: routes.State{Peers: map[string]routes.Peer{}}, peersOK: true,
		stale: map[string]bool{}, announced: map[string]bool{},
	}, nil
}

// Trigger marks the state dirty; it never blocks. Informer handlers call it for
// every event; the worker reconciles once for all events since its last pass.
func (l *Loop) Trigger() {
	select {
	case l.dirty <- struct{}{}:
	default:
	}
}

// Run is the worker: it reconciles as soon as it is triggered, then pauses for Pace
// times what that pass took (at most Interval) so that the events of a burst are
// coalesced, and retries failed reconciles after RetryAfter, until ctx is done. It
// returns nil on cancellation; Shutdown is the caller's next step.
//
// The pause is proportional rather than fixed: with a fixed pause, a burst of
// Services created over T seconds costs T/pause passes of O(Services) each —
// quadratic in the number of Services — and a single change waits for the timer.
// Proportional, a single change goes out at once and a burst costs at most
// T/(1+Pace) of CPU, linear in the number of Services.
func (l *Loop) Run(ctx context.Context) error {
	l.Trigger() // the first pass needs no event
	var retry *time.Timer
	defer func() {
		if retry != nil {
			retry.Stop()
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-l.dirty:
		}
		start := l.o.Now()
		if _, err := l.Reconcile(ctx); err != nil && ctx.Err() == nil {
			l.log.Warn("reconcile failed; keeping what is announced and retrying", "error", err, "retryAfter", l.o.RetryAfter)
			if retry != nil {
				retry.Stop()
			}
			retry = time.AfterFunc(l.o.RetryAfter, l.Trigger)
		}
		// Coalesce: events arriving during this pause set the one dirty slot.
		wait := min(l.o.Interval, time.Duration(l.o.Pace)*l.o.Now().Sub(start))
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-t.C:
			}
		}
	}
}

// Last returns the latest Report (zero before the first reconcile).
func (l *Loop) Last() Report {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.last
}

// Running returns a copy of what the loop believes the router has applied.
func (l *Loop) Running() routes.State {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.running.Clone()
}
