package router

import (
	"context"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"sync"
	"time"
)

// Fake is an in-memory Router for other packages' tests. It keeps exactly what it
// was given, counts the route changes each call really makes (so a test can prove a
// reconciler idempotent: the second identical SetRoutes makes 0 changes), and lets
// the test drive session states (SetSession) to exercise status and BFD code.
type Fake struct {
	// Now stamps session changes; nil means time.Now.
	Now func() time.Time
	// Fail, when set, is consulted before each mutating call ("SetPeers",
	// "SetRoutes", "ResetPeer", "Close") with the peer name (or ""); a non-nil
	// error is returned and nothing is applied.
	Fail func(op, peer string) error

	mu       sync.Mutex
	peers    map[string]Peer
	routes   map[string]map[string]Route // peer -> prefix string -> route
	sessions map[string]Session
	watchers map[int]func(SessionEvent)
	nextW    int
	changes  int
	updates  int
	resets   []string
	closed   *bool
}

var (
	_ Router  = (*Fake)(nil)
	_ Updater = (*Fake)(nil)
)

// NewFake returns an empty Fake whose sessions start Active.
func NewFake() *Fake {
	return &Fake{
		peers:    map[string]Peer{},
		routes:   map[string]map[string]Route{},
		sessions: map[string]Session{},
		watchers: map[int]func(SessionEvent){},
	}
}

func (f *Fake) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

func (f *Fake) fail(op, peer string) error {
	if f.Fail == nil {
		return nil
	}
	return f.Fail(op, peer)
}

// SetPeers implements Router.
func (f *Fake) SetPeers(_ context.Context, peers []Peer) error {
	if err := f.fail("SetPeers", ""); err != nil {
		return err
	}
	want := map[string]Peer{}
	for _, p := range peers {
		if _, dup := want[p.Name]; dup {
			return fmt.Errorf("peer %s given twice", p.Name)
		}
		want[p.Name] = p
	}
	f.mu.Lock()
	var events []SessionEvent
	for name := range f.peers {
		if _, ok := want[name]; !ok {
			f.changes += len(f.routes[name])
			delete(f.peers, name)
			delete(f.routes, name)
			delete(f.sessions, name)
		}
	}
	for name, p := range want {
		if _, ok := f.peers[name]; !ok {
			s := Session{Peer: name, State: Active, Since: f.now()}
			f.sessions[name] = s
			events = append(events, SessionEvent{Peer: name, State: s.State, Since: s.Since})
		}
		f.peers[name] = p
	}
	f.mu.Unlock()
	f.emit(events)
	return nil
}

// SetRoutes implements Router.
func (f *Fake) SetRoutes(_ context.Context, peer string, routes []Route) error {
	if err := f.fail("SetRoutes", peer); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.peers[peer]; !ok {
		return fmt.Errorf("peer %s: %w", peer, ErrUnknownPeer)
	}
	want := make(map[string]Route, len(routes))
	for _, r := range routes {
		want[r.Prefix.String()] = r
	}
	have := f.routes[peer]
	for k, r := range want {
		if old, ok := have[k]; !ok || !SameRoute(old, r) {
			f.changes++
		}
	}
	for k := range have {
		if _, ok := want[k]; !ok {
			f.changes++
		}
	}
	f.routes[peer] = want
	return nil
}

// UpdateRoutes implements Updater.
func (f *Fake) UpdateRoutes(_ context.Context, peer string, set []Route, withdraw []netip.Prefix) error {
	if err := f.fail("UpdateRoutes", peer); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.peers[peer]; !ok {
		return fmt.Errorf("peer %s: %w", peer, ErrUnknownPeer)
	}
	have := f.routes[peer]
	if have == nil {
		have = map[string]Route{}
		f.routes[peer] = have
	}
	for _, r := range set {
		if old, ok := have[r.Prefix.String()]; !ok || !SameRoute(old, r) {
			f.changes++
		}
		have[r.Prefix.String()] = r
	}
	for _, pfx := range withdraw {
		if _, ok := have[pfx.String()]; ok {
			f.changes++
			delete(have, pfx.String())
		}
	}
	f.updates++
	return nil
}

// Updates is how many UpdateRoutes calls succeeded.
func (f *Fake) Updates() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.updates
}

// Sessions implements Router.
func (f *Fake) Sessions(context.Context) ([]Session, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Session, 0, len(f.sessions))
	for _, name := range slices.Sorted(maps.Keys(f.sessions)) {
		s := f.sessions[name]
		s.PrefixesSent = len(f.routes[name])
		out = append(out, s)
	}
	return out, nil
}

// Watch implements Router: fn is called synchronously by SetSession, SetPeers and
// ResetPeer until ctx is done.
func (f *Fake) Watch(ctx context.Context, fn func(SessionEvent)) error {
	f.mu.Lock()
	id := f.nextW
	f.nextW++
	f.watchers[id] = fn
	f.mu.Unlock()
	go func() {
		<-ctx.Done()
		f.mu.Lock()
		delete(f.watchers, id)
		f.mu.Unlock()
	}()
	return nil
}

// ResetPeer implements Router: the session goes Idle and the reset is recorded.
func (f *Fake) ResetPeer(_ context.Context, peer string, hard bool) error {
	if err := f.fail("ResetPeer", peer); err != nil {
		return err
	}
	f.mu.Lock()
	if _, ok := f.peers[peer]; !ok {
		f.mu.Unlock()
		return fmt.Errorf("peer %s: %w", peer, ErrUnknownPeer)
	}
	f.resets = append(f.resets, fmt.Sprintf("%s hard=%t", peer, hard))
	f.mu.Unlock()
	return f.SetSession(peer, Idle, "reset by request")
}

// Close implements Router and records how it was closed.
func (f *Fake) Close(_ context.Context, graceful bool) error {
	if err := f.fail("Close", ""); err != nil {
		return err
	}
	f.mu.Lock()
	f.closed = &graceful
	if !graceful {
		for _, rs := range f.routes {
			f.changes += len(rs)
		}
		f.routes = map[string]map[string]Route{}
	}
	f.mu.Unlock()
	return nil
}

// SetSession sets a peer's session state (as the router would) and notifies watchers.
func (f *Fake) SetSession(peer string, st State, lastErr string) error {
	f.mu.Lock()
	if _, ok := f.peers[peer]; !ok {
		f.mu.Unlock()
		return fmt.Errorf("peer %s: %w", peer, ErrUnknownPeer)
	}
	s := Session{Peer: peer, State: st, Since: f.now(), LastError: lastErr}
	f.sessions[peer] = s
	f.mu.Unlock()
	f.emit([]SessionEvent{{Peer: peer, State: st, Since: s.Since, LastError: lastErr}})
	return nil
}

func (f *Fake) emit(events []SessionEvent) {
	f.mu.Lock()
	fns := slices.Collect(maps.Values(f.watchers))
	f.mu.Unlock()
	for _, ev := range events {
		for _, fn := range fns {
			fn(ev)
		}
	}
}

// Peers returns the configured peers sorted by name.
func (f *Fake) Peers() []Peer {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := slices.Collect(maps.Values(f.peers))
	slices.SortFunc(out, func(a, b Peer) int { return cmpString(a.Name, b.Name) })
	return out
}

// Routes returns the routes announced to peer, sorted by prefix.
func (f *Fake) Routes(peer string) []Route {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := slices.Collect(maps.Values(f.routes[peer]))
	slices.SortFunc(out, func(a, b Route) int { return ComparePrefix(a.Prefix, b.Prefix) })
	return out
}

// Changes returns how many route announcements and withdrawals all calls so far
// would have put on the wire.
func (f *Fake) Changes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.changes
}

// Resets returns the ResetPeer calls so far ("name hard=bool").
func (f *Fake) Resets() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.resets)
}

// Closed reports whether Close was called and whether it was graceful.
func (f *Fake) Closed() (closed, graceful bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed == nil {
		return false, false
	}
	return true, *f.closed
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
