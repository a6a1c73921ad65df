package bfdio

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/bgplb/bgplb/speaker/bfd"
)

// openRetry is how long a session whose transmit socket could not be opened
// (its source address not configured yet, say) waits before trying again.
const openRetry = time.Second

// Options configure a Manager; every field has a default.
type Options struct {
	// Network defaults to real UDP sockets (NewUDP).
	Network Network
	// Clock defaults to SystemClock.
	Clock  Clock
	Logger *slog.Logger
	// Seed makes discriminators and jitter reproducible; 0 picks a random one.
	Seed uint64
}

// Manager runs every BFD session of the speaker. Set and the read accessors may
// be called from any goroutine; Run drives the sockets and timers.
type Manager struct {
	net   Network
	clock Clock
	log   *slog.Logger

	mu        sync.Mutex // guards everything below and every session
	rnd       *rand.Rand
	byPeer    map[string]*entry
	byDiscr   map[uint32]*entry
	byRoute   map[route]*entry
	drops     map[string]uint64 // discarded packets by reason label
	scheduled time.Time         // when the timer loop will next wake; zero: idle
	wake      chan struct{}

	events eventQueue
}

// entry is one session with its socket and counters.
type entry struct {
	spec    Spec
	sess    *bfd.Session
	tx      Sender // nil until opened
	ifindex int    // of spec.Interface; 0 for any
	retryAt time.Time
	lastErr string
	since   time.Time
	buf     [64]byte // transmit buffer: encoding a packet never allocates

	rx, txn, up, down, sendErrs uint64
}

// New returns a Manager with no sessions.
func New(o Options) *Manager {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Clock == nil {
		o.Clock = SystemClock{}
	}
	if o.Network == nil {
		o.Network = NewUDP(o.Logger)
	}
	seed := o.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	return &Manager{
		net: o.Network, clock: o.Clock, log: o.Logger,
		rnd:    rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		byPeer: map[string]*entry{}, byDiscr: map[uint32]*entry{}, byRoute: map[route]*entry{},
		drops: map[string]uint64{}, wake: make(chan struct{}, 1),
		events: eventQueue{notify: make(chan struct{}, 1)},
	}
}

// Set makes the sessions exactly specs (keyed by Spec.Peer): it adds sessions,
// retunes live ones without a flap (intervals, multiplier and passive mode go
// through the core's Poll/Final sequence), replaces those whose addresses
// changed, and removes the rest after telling their peers AdminDown. Invalid or
// conflicting specs are reported (all at once) and skipped; the others apply.
func (m *Manager) Set(_ context.Context, specs []Spec) error {
	var errs []error
	want := map[string]Spec{}
	owner := map[route]string{}
	for _, s := range specs {
		if err := s.validate(); err != nil {
			errs = append(errs, err)
			continue
		}
		if _, dup := want[s.Peer]; dup {
			errs = append(errs, fmt.Errorf("bfd spec %s: listed twice: give each peer one spec", s.Peer))
			continue
		}
		if o, dup := owner[s.route()]; dup {
			errs = append(errs, fmt.Errorf("bfd spec %s: peer address %s is already BFD peer %s's: one session per router address", s.Peer, s.PeerAddr, o))
			continue
		}
		want[s.Peer], owner[s.route()] = s, s.Peer
	}

	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.clock.Now()
	for _, name := range slices.Sorted(maps.Keys(m.byPeer)) {
		e := m.byPeer[name]
		if s, ok := want[name]; !ok || !s.sameEndpoints(e.spec) {
			m.remove(e, now)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(want)) {
		s := want[name]
		e, ok := m.byPeer[name]
		if !ok {
			if err := m.add(s, now); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		if e.spec == s {
			continue
		}
		a, err := e.sess.SetParams(s.core(e.sess.LocalDiscr()), now)
		if err != nil {
			errs = append(errs, fmt.Errorf("bfd session %s: retune: %w", name, err))
			continue
		}
		m.log.Info("BFD session retuned", "peer", name, "tx", s.DesiredMinTx, "rx", s.RequiredMinRx, "mult", s.DetectMult, "passive", s.Passive)
		e.spec = s
		m.act(e, a, now)
	}
	return errors.Join(errs...)
}

// add creates a session with a fresh discriminator and opens its socket.
func (m *Manager) add(s Spec, now time.Time) error {
	discr := m.newDiscr()
	sess, err := bfd.NewSession(s.core(discr), now, m.rnd.Float64)
	if err != nil {
		return fmt.Errorf("bfd session %s: %w", s.Peer, err)
	}
	e := &entry{spec: s, sess: sess, since: now}
	m.byPeer[s.Peer], m.byDiscr[discr], m.byRoute[s.route()] = e, e, e
	m.open(e, now)
	m.log.Info("BFD session added", "peer", s.Peer, "address", s.PeerAddr, "multihop", s.Multihop, "discriminator", discr)
	m.act(e, bfd.Actions{Deadline: sess.NextDeadline()}, now)
	return nil
}

// open tries to open e's socket; on failure it is retried by the timer loop.
func (m *Manager) open(e *entry, now time.Time) {
	if e.spec.Interface != "" && e.ifindex == 0 {
		idx, err := m.net.Interface(e.spec.Interface)
		if err != nil {
			e.lastErr, e.retryAt = err.Error(), now.Add(openRetry)
			return
		}
		e.ifindex = idx
	}
	tx, err := m.net.Open(e.spec)
	if err != nil {
		e.lastErr, e.retryAt = err.Error(), now.Add(openRetry)
		m.log.Warn("BFD socket not open yet; retrying", "peer", e.spec.Peer, "error", err, "retryAfter", openRetry)
		return
	}
	e.tx, e.lastErr = tx, ""
}

// remove tells the peer AdminDown (so its client protocols do not take a
// timeout for a failure) and forgets the session.
func (m *Manager) remove(e *entry, now time.Time) {
	if a := e.sess.AdminDown(now); a.Transmit {
		m.send(e, &a.Packet)
	}
	if e.tx != nil {
		_ = e.tx.Close()
	}
	delete(m.byPeer, e.spec.Peer)
	delete(m.byDiscr, e.sess.LocalDiscr())
	delete(m.byRoute, e.spec.route())
	m.log.Info("BFD session removed", "peer", e.spec.Peer)
}

// newDiscr returns a random nonzero discriminator no session uses.
func (m *Manager) newDiscr() uint32 {
	for {
		d := m.rnd.Uint32()
		if _, used := m.byDiscr[d]; d != 0 && !used {
			return d
		}
	}
}

// act carries out what the core asked for. Caller holds m.mu.
func (m *Manager) act(e *entry, a bfd.Actions, now time.Time) {
	if a.Transmit {
		m.send(e, &a.Packet)
	}
	if a.Changed {
		e.since = now
		switch {
		case a.Event.To == bfd.Up:
			e.up++
		case a.Event.From == bfd.Up:
			e.down++
		}
		m.events.push(Event{Peer: e.spec.Peer, PeerAddr: e.spec.PeerAddr, From: a.Event.From, To: a.Event.To,
			Diag: a.Event.Diag, RemoteState: e.sess.RemoteState(), At: a.Event.At})
		m.log.Info("BFD session", "peer", e.spec.Peer, "address", e.spec.PeerAddr, "from", a.Event.From.String(),
			"to", a.Event.To.String(), "diag", a.Event.Diag.String(), "remote", e.sess.RemoteState().String())
	}
	if !a.Deadline.IsZero() && (m.scheduled.IsZero() || a.Deadline.Before(m.scheduled)) {
		m.scheduled = a.Deadline
		select {
		case m.wake <- struct{}{}:
		default:
		}
	}
}

// send encodes p into e's buffer and transmits it.
func (m *Manager) send(e *entry, p *bfd.Packet) {
	if e.tx == nil {
		return // no socket yet: the timer loop reopens it
	}
	b, err := p.AppendTo(e.buf[:0])
	if err == nil {
		err = e.tx.Send(b)
	}
	if err != nil {
		// Peers come and go (ICMP unreachable surfaces here); the session's
		// detection timer, not a send error, decides the state.
		if e.sendErrs == 0 || e.lastErr == "" {
			m.log.Debug("BFD send failed", "peer", e.spec.Peer, "error", err)
		}
		e.sendErrs++
		e.lastErr = err.Error()
		return
	}
	e.txn++
}
