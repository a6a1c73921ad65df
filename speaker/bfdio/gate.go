package bfdio

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/bgplb/bgplb/speaker/bfd"
	"github.com/bgplb/bgplb/speaker/router"
)

// HeldError is the LastError a held peer's session reports.
const HeldError = "BFD is down: the BGP session is held down until BFD is Up again"

// Gate is a router.Router that lets BFD take BGP peers down: a held peer is
// left out of what the inner router runs (so it closes the session at once,
// and does not redial it) while the Gate keeps its desired configuration and
// routes, and hands both back when the hold is released.
//
// Holding by removal rather than by a reset is deliberate: a reset session
// redials within its connect time, and against a router that is alive but
// whose forwarding is broken (what BFD detects) it would re-establish and
// attract traffic into the hole.
type Gate struct {
	inner router.Router
	log   *slog.Logger

	mu     sync.Mutex // serialises every call to inner
	peers  []router.Peer
	routes map[string]map[netip.Prefix]router.Route // per peer: what it must have once released
	held   map[string]bool

	wmu      sync.Mutex
	watchers []gateWatcher

	// holdLimit bounds a hold; gen tells a hold's timer whether it is still the
	// current hold of its peer.
	holdLimit time.Duration
	gen       map[string]uint64
}

// DefaultHoldLimit is how long a BFD-down hold lasts at most. Some routers
// (BIRD) run BFD only while the BGP session is being established, and wait
// passively for us to connect: held until BFD is Up, neither side would move.
// After the limit the session may redial; BFD going Up and Down again holds it
// again.
const DefaultHoldLimit = 5 * time.Second

type gateWatcher struct {
	ctx context.Context
	fn  func(router.SessionEvent)
}

var (
	_ router.Router  = (*Gate)(nil)
	_ router.Updater = (*Gate)(nil)
)

// NewGate wraps inner.
func NewGate(inner router.Router, log *slog.Logger) *Gate {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Gate{inner: inner, log: log, routes: map[string]map[netip.Prefix]router.Route{}, held: map[string]bool{},
		holdLimit: DefaultHoldLimit, gen: map[string]uint64{}}
}

// SetHoldLimit changes how long a hold lasts at most (0: until BFD is Up).
func (g *Gate) SetHoldLimit(d time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.holdLimit = d
}

// Handle applies one BFD event: Up→Down holds the peer (unless the router
// said AdminDown, which RFC 5882 §3.2 says must not take client sessions
// down), Up releases it. Errors are logged; the next event or SetPeers retries.
func (g *Gate) Handle(ctx context.Context, ev Event) {
	var err error
	switch {
	case ev.To == bfd.Up:
		err = g.Release(ctx, ev.Peer)
	case ev.From == bfd.Up && ev.RemoteState != bfd.AdminDown:
		err = g.Hold(ctx, ev.Peer)
	}
	if err != nil {
		g.log.Warn("BFD could not change the BGP session", "peer", ev.Peer, "bfd", ev.To, "error", err)
	}
}

// Hold takes peer's BGP session down now and keeps it down. Watchers see the
// session go Idle with HeldError: the inner router reports nothing for a peer it
// was told to forget.
func (g *Gate) Hold(ctx context.Context, peer string) error {
	g.mu.Lock()
	if g.held[peer] || !g.desired(peer) {
		g.mu.Unlock()
		return nil
	}
	g.held[peer] = true
	g.gen[peer]++
	if g.holdLimit > 0 {
		gen, limit := g.gen[peer], g.holdLimit
		time.AfterFunc(limit, func() { g.expire(context.WithoutCancel(ctx), peer, gen, limit) })
	}
	g.log.Warn("BFD down: BGP session torn down and held", "peer", peer, "atMost", g.holdLimit)
	err := g.inner.SetPeers(ctx, g.running())
	g.mu.Unlock()
	g.notify(router.SessionEvent{Peer: peer, State: router.Idle, Since: time.Now(), LastError: HeldError})
	return err
}

func (g *Gate) notify(ev router.SessionEvent) {
	g.wmu.Lock()
	ws := slices.Clone(g.watchers)
	g.wmu.Unlock()
	for _, w := range ws {
		if w.ctx.Err() == nil {
			w.fn(ev)
		}
	}
}

// expire ends the hold numbered gen if it is still in force.
func (g *Gate) expire(ctx context.Context, peer string, gen uint64, limit time.Duration) {
	g.mu.Lock()
	current := g.held[peer] && g.gen[peer] == gen
	g.mu.Unlock()
	if !current {
		return
	}
	g.log.Warn("BFD still down: letting the BGP session redial (the router may run BFD only once BGP connects)",
		"peer", peer, "heldFor", limit)
	if err := g.Release(ctx, peer); err != nil {
		g.log.Warn("could not release the BGP session", "peer", peer, "error", err)
	}
}

// Release lets a held peer's session run again, with its routes.
func (g *Gate) Release(ctx context.Context, peer string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.held[peer] {
		return nil
	}
	delete(g.held, peer)
	if !g.desired(peer) {
		return nil
	}
	g.log.Info("BFD up: BGP session released", "peer", peer)
	if err := g.inner.SetPeers(ctx, g.running()); err != nil {
		g.held[peer] = true // still out of the router: keep the record true
		return err
	}
	return g.inner.SetRoutes(ctx, peer, sorted(g.routes[peer]))
}

// Keep releases the holds of peers that no longer have BFD (profile removed).
func (g *Gate) Keep(ctx context.Context, bfdPeers []string) error {
	g.mu.Lock()
	var gone []string
	for p := range g.held {
		if !slices.Contains(bfdPeers, p) {
			gone = append(gone, p)
		}
	}
	g.mu.Unlock()
	var errs []error
	for _, p := range gone {
		errs = append(errs, g.Release(ctx, p))
	}
	return errors.Join(errs...)
}

// Held reports whether peer is held down.
func (g *Gate) Held(peer string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.held[peer]
}

func (g *Gate) desired(peer string) bool {
	return slices.ContainsFunc(g.peers, func(p router.Peer) bool { return p.Name == peer })
}

// running is the desired peers minus the held ones.
func (g *Gate) running() []router.Peer {
	out := make([]router.Peer, 0, len(g.peers))
	for _, p := range g.peers {
		if !g.held[p.Name] {
			out = append(out, p)
		}
	}
	return out
}

// SetPeers implements router.Router.
func (g *Gate) SetPeers(ctx context.Context, peers []router.Peer) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.peers = slices.Clone(peers)
	for name := range g.routes {
		if !g.desired(name) {
			delete(g.routes, name)
		}
	}
	return g.inner.SetPeers(ctx, g.running())
}

// SetRoutes implements router.Router; a held peer's routes are kept for its release.
func (g *Gate) SetRoutes(ctx context.Context, peer string, routes []router.Route) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.desired(peer) {
		return fmt.Errorf("peer %s: %w", peer, router.ErrUnknownPeer)
	}
	set := make(map[netip.Prefix]router.Route, len(routes))
	for _, r := range routes {
		set[r.Prefix] = r
	}
	g.routes[peer] = set
	if g.held[peer] {
		return nil
	}
	return g.inner.SetRoutes(ctx, peer, routes)
}

// UpdateRoutes implements router.Updater: the change is recorded, and passed on
// unless the peer is held (its release hands over the whole record). An inner
// router that takes no changes gets the whole record instead.
func (g *Gate) UpdateRoutes(ctx context.Context, peer string, set []router.Route, withdraw []netip.Prefix) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.desired(peer) {
		return fmt.Errorf("peer %s: %w", peer, router.ErrUnknownPeer)
	}
	rec := g.routes[peer]
	if rec == nil {
		rec = map[netip.Prefix]router.Route{}
		g.routes[peer] = rec
	}
	for _, pfx := range withdraw {
		delete(rec, pfx)
	}
	for _, r := range set {
		rec[r.Prefix] = r
	}
	if g.held[peer] {
		return nil
	}
	if u, ok := g.inner.(router.Updater); ok {
		return u.UpdateRoutes(ctx, peer, set, withdraw)
	}
	return g.inner.SetRoutes(ctx, peer, sorted(rec))
}

// sorted lists a peer's recorded routes in prefix order.
func sorted(rec map[netip.Prefix]router.Route) []router.Route {
	out := make([]router.Route, 0, len(rec))
	for _, r := range rec {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b router.Route) int { return router.ComparePrefix(a.Prefix, b.Prefix) })
	return out
}

// Sessions implements router.Router; held peers show as Idle with HeldError.
func (g *Gate) Sessions(ctx context.Context) ([]router.Session, error) {
	ss, err := g.inner.Sessions(ctx)
	if err != nil {
		return nil, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, p := range g.peers {
		if g.held[p.Name] {
			ss = append(ss, router.Session{Peer: p.Name, State: router.Idle, LastError: HeldError,
				PrefixesPending: len(g.routes[p.Name])})
		}
	}
	slices.SortFunc(ss, func(a, b router.Session) int { return cmpStr(a.Peer, b.Peer) })
	return ss, nil
}

// Watch implements router.Router: the inner router's events, and the Gate's holds.
func (g *Gate) Watch(ctx context.Context, fn func(router.SessionEvent)) error {
	g.wmu.Lock()
	g.watchers = append(g.watchers, gateWatcher{ctx, fn})
	g.wmu.Unlock()
	return g.inner.Watch(ctx, fn)
}

// ResetPeer implements router.Router; a held peer has nothing to reset.
func (g *Gate) ResetPeer(ctx context.Context, peer string, hard bool) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.held[peer] {
		return nil
	}
	return g.inner.ResetPeer(ctx, peer, hard)
}

// Close implements router.Router.
func (g *Gate) Close(ctx context.Context, graceful bool) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.inner.Close(ctx, graceful)
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
