package bfdio

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bgplb/bgplb/speaker/bfd"
)

// Discard reasons the adapter adds to the core's (bfd.PacketError labels).
const (
	dropTTL       = "ttl"        // single-hop TTL != 255, or multihop below minimumTtl
	dropNoSession = "no_session" // no session for Your Discriminator or the source
	dropSource    = "source"     // the session exists but the packet came from elsewhere
	dropInterface = "interface"  // arrived on another interface than the session's
)

// idleWait is how long the timer loop sleeps with nothing scheduled (a wake-up
// from act cuts it short).
const idleWait = time.Minute

// Run listens, drives every session's timers and delivers events until ctx is
// done; then it tells every peer AdminDown and closes the sockets. It returns an
// error only when the listeners cannot be opened.
func (m *Manager) Run(ctx context.Context) error {
	stop, err := m.net.Listen(m.deliver)
	if err != nil {
		return fmt.Errorf("bfd: listen: %w", err)
	}
	dispatched := make(chan struct{})
	go func() { defer close(dispatched); m.events.dispatch(ctx) }()
	defer func() {
		stop()
		m.closeAll()
		<-dispatched
	}()

	t := m.clock.NewTimer(idleWait)
	defer t.Stop()
	for {
		now := m.clock.Now()
		next := m.runDue(now)
		wait := idleWait
		if !next.IsZero() {
			wait = max(next.Sub(now), 0)
		}
		t.Reset(wait)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C():
		case <-m.wake:
		}
	}
}

// runDue ticks every session whose deadline has come, reopens sockets that
// failed, and returns the earliest deadline left (zero when none).
func (m *Manager) runDue(now time.Time) time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	var next time.Time
	earliest := func(d time.Time) {
		if !d.IsZero() && (next.IsZero() || d.Before(next)) {
			next = d
		}
	}
	for _, e := range m.byPeer {
		if e.tx == nil && !now.Before(e.retryAt) {
			m.open(e, now)
		}
		if d := e.sess.NextDeadline(); !d.IsZero() && !now.Before(d) {
			a := e.sess.Tick(now)
			a.Deadline = time.Time{} // the loop itself reschedules below
			m.act(e, a, now)
		}
		earliest(e.sess.NextDeadline())
		if e.tx == nil {
			earliest(e.retryAt)
		}
	}
	m.scheduled = next
	return next
}

// deliver hands one received datagram to its session. It runs on the listener
// goroutines and does not allocate for a well-formed packet.
func (m *Manager) deliver(in *Inbound) {
	var p bfd.Packet
	if err := p.Unmarshal(in.Data); err != nil {
		m.countDrop(err)
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	// RFC 5881 §5: single-hop packets must arrive with TTL 255, which no
	// packet from off-link can (GTSM). Checked before anything else is read.
	if !in.Multihop && in.TTL != 255 {
		m.drops[dropTTL]++
		return
	}
	var e *entry
	if p.YourDiscr != 0 {
		e = m.byDiscr[p.YourDiscr]
	} else {
		e = m.byRoute[route{in.Multihop, in.Src}]
	}
	switch {
	case e == nil:
		m.drops[dropNoSession]++
		return
	case e.spec.Multihop != in.Multihop || plain(e.spec.PeerAddr) != in.Src:
		m.drops[dropSource]++
		return
	case e.ifindex != 0 && in.IfIndex != 0 && in.IfIndex != e.ifindex:
		m.drops[dropInterface]++
		return
	case in.Multihop && in.TTL < int(e.spec.MinTTL):
		m.drops[dropTTL]++
		return
	}
	now := m.clock.Now()
	a, err := e.sess.Receive(&p, now)
	if err != nil {
		m.countDropLocked(err)
		return
	}
	e.rx++
	m.act(e, a, now)
}

func (m *Manager) countDrop(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.countDropLocked(err)
}

func (m *Manager) countDropLocked(err error) {
	var pe bfd.PacketError
	if errors.As(err, &pe) {
		m.drops[pe.Label()]++
		return
	}
	m.drops["unknown"]++
}

// closeAll sends AdminDown to every peer and closes the sockets (shutdown).
func (m *Manager) closeAll() {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.clock.Now()
	for _, e := range m.byPeer {
		if a := e.sess.AdminDown(now); a.Transmit {
			m.send(e, &a.Packet)
		}
		if e.tx != nil {
			_ = e.tx.Close()
			e.tx = nil
		}
		e.retryAt = now.Add(openRetry)
	}
}
