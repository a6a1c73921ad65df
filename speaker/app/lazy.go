package app

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"

	"github.com/bgplb/bgplb/speaker/router"
)

// Factory starts the BGP implementation once the speaker-wide ASN and router ID
// are known.
type Factory func(ctx context.Context, asn uint32, routerID netip.Addr) (router.Router, error)

// lazyRouter is a router.Router that starts the real one at the first SetPeers with
// a peer: GoBGP needs one AS and one router ID for the whole speaker, and both come
// from the configuration (the first peer's myASN, its routerID or this node's IPv4
// address), which is not known at start-up.
type lazyRouter struct {
	factory  Factory
	nodeIP   func() netip.Addr
	override netip.Addr // --router-id

	mu       sync.Mutex
	inner    router.Router
	watchers []watcher
}

type watcher struct {
	ctx context.Context
	fn  func(router.SessionEvent)
}

var _ router.Router = (*lazyRouter)(nil)

func (l *lazyRouter) get() router.Router {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inner
}

func (l *lazyRouter) start(ctx context.Context, peers []router.Peer) (router.Router, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.inner != nil {
		return l.inner, nil
	}
	id := l.override
	for _, p := range peers {
		if !id.IsValid() && p.RouterID.IsValid() {
			id = p.RouterID
		}
	}
	if !id.IsValid() {
		id = l.nodeIP()
	}
	if !id.Is4() {
		return nil, errors.New("no BGP router ID: the Node has no IPv4 InternalIP; set spec.routerID on the BGPPeers or --router-id")
	}
	r, err := l.factory(context.WithoutCancel(ctx), peers[0].MyASN, id)
	if err != nil {
		return nil, fmt.Errorf("start BGP (asn %d, router id %s): %w", peers[0].MyASN, id, err)
	}
	for _, w := range l.watchers {
		if err := r.Watch(w.ctx, w.fn); err != nil {
			return nil, err
		}
	}
	l.inner = r
	return r, nil
}

// SetPeers implements router.Router.
func (l *lazyRouter) SetPeers(ctx context.Context, peers []router.Peer) error {
	r := l.get()
	if r == nil {
		if len(peers) == 0 {
			return nil
		}
		var err error
		if r, err = l.start(ctx, peers); err != nil {
			return err
		}
	}
	return r.SetPeers(ctx, peers)
}

// SetRoutes implements router.Router.
func (l *lazyRouter) SetRoutes(ctx context.Context, peer string, routes []router.Route) error {
	if r := l.get(); r != nil {
		return r.SetRoutes(ctx, peer, routes)
	}
	return fmt.Errorf("peer %s: %w", peer, router.ErrUnknownPeer)
}

// UpdateRoutes implements router.Updater when the router it wraps does; otherwise
// it fails, and the reconcile loop hands over the whole set on its next pass.
func (l *lazyRouter) UpdateRoutes(ctx context.Context, peer string, set []router.Route, withdraw []netip.Prefix) error {
	r := l.get()
	if r == nil {
		return fmt.Errorf("peer %s: %w", peer, router.ErrUnknownPeer)
	}
	u, ok := r.(router.Updater)
	if !ok {
		return fmt.Errorf("peer %s: router %T takes whole route sets only", peer, r)
	}
	return u.UpdateRoutes(ctx, peer, set, withdraw)
}

// Sessions implements router.Router.
func (l *lazyRouter) Sessions(ctx context.Context) ([]router.Session, error) {
	if r := l.get(); r != nil {
		return r.Sessions(ctx)
	}
	return nil, nil
}

// Watch implements router.Router; watchers registered before the start are
// attached when the real router starts.
func (l *lazyRouter) Watch(ctx context.Context, fn func(router.SessionEvent)) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.inner != nil {
		return l.inner.Watch(ctx, fn)
	}
	l.watchers = append(l.watchers, watcher{ctx, fn})
	return nil
}

// ResetPeer implements router.Router.
func (l *lazyRouter) ResetPeer(ctx context.Context, peer string, hard bool) error {
	if r := l.get(); r != nil {
		return r.ResetPeer(ctx, peer, hard)
	}
	return fmt.Errorf("peer %s: %w", peer, router.ErrUnknownPeer)
}

// Close implements router.Router.
func (l *lazyRouter) Close(ctx context.Context, graceful bool) error {
	if r := l.get(); r != nil {
		return r.Close(ctx, graceful)
	}
	return nil
}
