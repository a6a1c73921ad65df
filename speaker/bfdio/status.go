package bfdio

import (
	"maps"
	"net/netip"
	"slices"
	"time"

	"github.com/bgplb/bgplb/speaker/bfd"
)

// Status is one session as seen now, for status, metrics and tests.
type Status struct {
	Peer        string
	PeerAddr    netip.Addr
	Local       netip.AddrPort // zero until the socket is open
	Multihop    bool
	State       bfd.State
	Diag        bfd.Diag
	RemoteState bfd.State
	LocalDiscr  uint32
	RemoteDiscr uint32
	Timers      bfd.Timers
	// Since is when State was entered (or the session created).
	Since time.Time
	// ControlIn and ControlOut count control packets accepted and sent;
	// UpEvents and DownEvents count transitions to Up and out of Up.
	ControlIn, ControlOut, UpEvents, DownEvents, SendErrors uint64
	// LastError is the last socket error ("" when the last send worked).
	LastError string
}

// Sessions returns every session, sorted by peer name.
func (m *Manager) Sessions() []Status {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Status, 0, len(m.byPeer))
	for _, name := range slices.Sorted(maps.Keys(m.byPeer)) {
		out = append(out, m.status(m.byPeer[name]))
	}
	return out
}

// Session returns the named peer's session.
func (m *Manager) Session(peer string) (Status, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.byPeer[peer]
	if !ok {
		return Status{}, false
	}
	return m.status(e), true
}

func (m *Manager) status(e *entry) Status {
	s := Status{
		Peer: e.spec.Peer, PeerAddr: e.spec.PeerAddr, Multihop: e.spec.Multihop,
		State: e.sess.State(), Diag: e.sess.Diag(), RemoteState: e.sess.RemoteState(),
		LocalDiscr: e.sess.LocalDiscr(), RemoteDiscr: e.sess.RemoteDiscr(), Timers: e.sess.Negotiated(),
		Since: e.since, ControlIn: e.rx, ControlOut: e.txn, UpEvents: e.up, DownEvents: e.down,
		SendErrors: e.sendErrs, LastError: e.lastErr,
	}
	if e.tx != nil {
		s.Local = e.tx.Local()
	}
	return s
}

// Drops returns the discarded packets by reason (bfd.PacketError labels and
// ttl, no_session, source, interface).
func (m *Manager) Drops() map[string]uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return maps.Clone(m.drops)
}
