package bfdio

import (
	"context"
	"net/netip"
	"sync"
	"time"

	"github.com/bgplb/bgplb/speaker/bfd"
)

// Event is one session state change.
type Event struct {
	Peer     string
	PeerAddr netip.Addr
	From, To bfd.State
	Diag     bfd.Diag
	// RemoteState is the peer's state as last heard: AdminDown when the peer
	// took the session down administratively, which must not tear down client
	// sessions (RFC 5882 §3.2).
	RemoteState bfd.State
	At          time.Time
}

// Watch calls fn for every event, in order, on one goroutine (started by Run),
// until ctx is done. fn must not block for long: it delays later events.
func (m *Manager) Watch(ctx context.Context, fn func(Event)) {
	m.events.mu.Lock()
	defer m.events.mu.Unlock()
	m.events.watchers = append(m.events.watchers, watcher{ctx, fn})
}

type watcher struct {
	ctx context.Context
	fn  func(Event)
}

// eventQueue decouples the session lock from watchers: act pushes under
// Manager.mu, dispatch calls watchers without it, so a watcher may call Set or
// Sessions. It is unbounded because events are rare (state changes) and must
// never be dropped: a lost Down would leave a dead BGP session up.
type eventQueue struct {
	mu       sync.Mutex
	q        []Event
	watchers []watcher
	notify   chan struct{}
}

func (q *eventQueue) push(ev Event) {
	q.mu.Lock()
	q.q = append(q.q, ev)
	q.mu.Unlock()
	select {
	case q.notify <- struct{}{}:
	default:
	}
}

// dispatch delivers queued events until ctx is done.
func (q *eventQueue) dispatch(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-q.notify:
		}
		q.mu.Lock()
		batch, ws := q.q, q.watchers
		q.q = nil
		q.mu.Unlock()
		for _, ev := range batch {
			for _, w := range ws {
				if w.ctx.Err() == nil {
					w.fn(ev)
				}
			}
		}
	}
}
