package bfdio

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bgplb/bgplb/speaker/bfd"
)

// memNet is an in-memory Network: senders record what they send.
type memNet struct {
	mu       sync.Mutex
	deliver  func(*Inbound)
	senders  map[netip.Addr]*memSender // by peer address
	failOpen error
	stopped  bool
}

func newMemNet() *memNet { return &memNet{senders: map[netip.Addr]*memSender{}} }

func (n *memNet) Listen(deliver func(*Inbound)) (func(), error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.deliver = deliver
	return func() { n.mu.Lock(); n.stopped = true; n.mu.Unlock() }, nil
}

func (n *memNet) Open(s Spec) (Sender, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.failOpen != nil {
		return nil, n.failOpen
	}
	ms := &memSender{local: netip.AddrPortFrom(s.LocalAddr, minSourcePort)}
	n.senders[s.PeerAddr] = ms
	return ms, nil
}

func (n *memNet) Interface(name string) (int, error) { return 7, nil }

func (n *memNet) sender(peer netip.Addr) *memSender {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.senders[peer]
}

type memSender struct {
	mu     sync.Mutex
	local  netip.AddrPort
	sent   [][]byte
	closed bool
}

func (s *memSender) Send(b []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("closed")
	}
	s.sent = append(s.sent, append([]byte(nil), b...))
	return nil
}
func (s *memSender) Local() netip.AddrPort { return s.local }
func (s *memSender) Close() error          { s.mu.Lock(); s.closed = true; s.mu.Unlock(); return nil }

func (s *memSender) take() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.sent
	s.sent = nil
	return out
}

// fakeClock is a manual Clock; Advance fires due timers.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Unix(1_700_000_000, 0)} }

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *fakeClock) NewTimer(d time.Duration) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{c: c, ch: make(chan time.Time, 1), at: c.now.Add(d), armed: true}
	c.timers = append(c.timers, t)
	return t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	now := c.now
	var due []*fakeTimer
	for _, t := range c.timers {
		if t.armed && !now.Before(t.at) {
			t.armed = false
			due = append(due, t)
		}
	}
	c.mu.Unlock()
	for _, t := range due {
		select {
		case t.ch <- now:
		default:
		}
	}
}

type fakeTimer struct {
	c     *fakeClock
	ch    chan time.Time
	at    time.Time
	armed bool
}

func (t *fakeTimer) C() <-chan time.Time { return t.ch }
func (t *fakeTimer) Reset(d time.Duration) {
	t.c.mu.Lock()
	t.at, t.armed = t.c.now.Add(d), true
	t.c.mu.Unlock()
}
func (t *fakeTimer) Stop() { t.c.mu.Lock(); t.armed = false; t.c.mu.Unlock() }

// sim runs a Manager against router-side core sessions on a simulated clock,
// in 1 ms steps, without goroutines: every packet is handed over in order.
type sim struct {
	t      *testing.T
	clk    *fakeClock
	net    *memNet
	m      *Manager
	local  netip.Addr
	peers  map[netip.Addr]*bfd.Session
	cut    map[netip.Addr]bool // router frozen: nothing flows either way
	events []Event
}

func newSim(t *testing.T) *sim {
	s := &sim{t: t, clk: newFakeClock(), net: newMemNet(), local: netip.MustParseAddr("192.0.2.1"),
		peers: map[netip.Addr]*bfd.Session{}, cut: map[netip.Addr]bool{}}
	s.m = New(Options{Network: s.net, Clock: s.clk, Seed: 1})
	return s
}

// router adds a router-side session at addr running cfg.
func (s *sim) router(addr string, cfg bfd.Config) netip.Addr {
	a := netip.MustParseAddr(addr)
	r := rand.New(rand.NewPCG(uint64(len(s.peers)+10), 3))
	sess, err := bfd.NewSession(cfg, s.clk.Now(), r.Float64)
	if err != nil {
		s.t.Fatal(err)
	}
	s.peers[a] = sess
	return a
}

func (s *sim) spec(peer string, addr netip.Addr, tx time.Duration, mult uint8) Spec {
	return Spec{Peer: peer, PeerAddr: addr, LocalAddr: s.local, DesiredMinTx: tx, RequiredMinRx: tx, DetectMult: mult}
}

func (s *sim) set(specs ...Spec) {
	s.t.Helper()
	if err := s.m.Set(context.Background(), specs); err != nil {
		s.t.Fatal(err)
	}
}

// toManager hands a router packet to the Manager as the kernel would.
func (s *sim) toManager(from netip.Addr, p *bfd.Packet, ttl int) {
	b, err := p.Marshal()
	if err != nil {
		s.t.Fatal(err)
	}
	s.m.deliver(&Inbound{Data: b, Src: from, Dst: s.local, TTL: ttl})
}

// run advances the clock by d in 1 ms steps, moving packets both ways.
func (s *sim) run(d time.Duration) {
	for end := s.clk.Now().Add(d); s.clk.Now().Before(end); {
		s.clk.Advance(time.Millisecond)
		now := s.clk.Now()
		s.m.runDue(now)
		for addr, r := range s.peers {
			if ms := s.net.sender(addr); ms != nil {
				for _, b := range ms.take() {
					if s.cut[addr] {
						continue
					}
					a, err := r.ReceiveBytes(b, now)
					if err == nil && a.Transmit {
						s.toManager(addr, &a.Packet, 255)
					}
				}
			}
			if s.cut[addr] {
				continue
			}
			if dl := r.NextDeadline(); !dl.IsZero() && !now.Before(dl) {
				if a := r.Tick(now); a.Transmit {
					s.toManager(addr, &a.Packet, 255)
				}
			}
		}
		s.drainEvents()
	}
}

func (s *sim) drainEvents() {
	s.m.events.mu.Lock()
	s.events = append(s.events, s.m.events.q...)
	s.m.events.q = nil
	s.m.events.mu.Unlock()
}

func (s *sim) status(peer string) Status {
	s.t.Helper()
	st, ok := s.m.Session(peer)
	if !ok {
		s.t.Fatalf("no session %s", peer)
	}
	return st
}

type errString string

func (e errString) Error() string { return string(e) }

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func s4(a string) netip.Addr { return netip.MustParseAddr(a) }

func (m *Manager) status1(peer string) Status { st, _ := m.Session(peer); return st }
