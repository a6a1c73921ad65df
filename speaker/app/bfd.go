package app

import (
	"context"
	"log/slog"
	"sync"

	"github.com/bgplb/bgplb/speaker/bfdio"
	"github.com/bgplb/bgplb/speaker/reconcile"
	"github.com/bgplb/bgplb/speaker/router"
)

// bfdLink runs the speaker's BFD sessions beside its BGP sessions. Every
// reconcile hands it the peers this node runs; those with a bfdProfile get a
// session toward their router. The manager's state changes go to the Gate, which
// holds a peer's BGP session down while its BFD is down.
//
// The manager's sockets open at the first peer that asks for BFD, not at start:
// a speaker without BFD binds nothing on UDP 3784/4784, and a bind failure is
// reported on the peers that need BFD instead of stopping the speaker.
type bfdLink struct {
	m    *bfdio.Manager
	gate *bfdio.Gate
	log  *slog.Logger

	ctx     context.Context // the speaker's run context; set by start
	onEvent func(bfdio.Event)

	once    sync.Once
	running sync.WaitGroup
	mu      sync.Mutex
	runErr  error // why the listeners could not open; nil when they did
}

func newBFDLink(inner router.Router, log *slog.Logger) *bfdLink {
	log = log.With("component", "bfd")
	return &bfdLink{m: bfdio.New(bfdio.Options{Logger: log}), gate: bfdio.NewGate(inner, log), log: log}
}

// router is what the reconcile loop drives: the inner router behind the Gate.
func (b *bfdLink) router() router.Router { return b.gate }

// start records the run context; onEvent is called after the Gate has acted on
// each state change (metrics, status).
func (b *bfdLink) start(ctx context.Context, onEvent func(bfdio.Event)) {
	b.ctx, b.onEvent = ctx, onEvent
}

// observe is the reconcile Observer's part: the BFD sessions become exactly the
// ones the peers this node runs ask for, and holds of peers that lost their
// profile are released.
func (b *bfdLink) observe(rep reconcile.Report) {
	if b.ctx == nil || b.ctx.Err() != nil {
		return
	}
	specs := bfdio.SpecsFor(rep.Config, runningPeers(rep))
	if len(specs) > 0 {
		b.once.Do(b.run)
	}
	if err := b.m.Set(b.ctx, specs); err != nil {
		b.log.Warn("some BFD sessions could not be set", "error", err)
	}
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = s.Peer
	}
	if err := b.gate.Keep(b.ctx, names); err != nil {
		b.log.Warn("could not release BGP sessions held by removed BFD sessions", "error", err)
	}
}

func (b *bfdLink) run() {
	b.m.Watch(b.ctx, func(ev bfdio.Event) {
		b.gate.Handle(b.ctx, ev)
		if b.onEvent != nil {
			b.onEvent(ev)
		}
	})
	b.running.Add(1)
	go func() {
		defer b.running.Done()
		if err := b.m.Run(b.ctx); err != nil {
			b.log.Error("BFD cannot run; BGP sessions run without it", "error", err)
			b.mu.Lock()
			b.runErr = err
			b.mu.Unlock()
		}
	}()
}

// wait returns once the manager has told its peers AdminDown and closed its
// sockets (after the run context is cancelled).
func (b *bfdLink) wait() { b.running.Wait() }

// state is the peer's BFD state for its BGPPeer status: "" without a session.
func (b *bfdLink) state(peer string) string {
	st, ok := b.m.Session(peer)
	if !ok {
		return ""
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.runErr != nil {
		return "Down"
	}
	return st.State.String()
}

// problem is the error a peer's status should carry about BFD ("" when none).
func (b *bfdLink) problem(peer string) string {
	if _, ok := b.m.Session(peer); !ok {
		return ""
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.runErr != nil {
		return "BFD cannot run on this node: " + b.runErr.Error()
	}
	return ""
}

// runningPeers are the peers whose sessions this node runs.
func runningPeers(rep reconcile.Report) []string {
	var out []string
	for _, d := range rep.PeerDecisions {
		if d.Runs {
			out = append(out, d.Peer)
		}
	}
	return out
}
