package bfd

import (
	"math/rand/v2"
	"testing"
	"time"
)

var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func seeded(seed uint64) func() float64 {
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)).Float64
}

func testConfig(discr uint32, interval time.Duration) Config {
	return Config{LocalDiscr: discr, DesiredMinTx: interval, RequiredMinRx: interval, DetectMult: 3}
}

func mustSession(t testing.TB, cfg Config, now time.Time, seed uint64) *Session {
	t.Helper()
	s, err := NewSession(cfg, now, seeded(seed))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// peerPacket is what a peer with discriminator 2 talking to our session 1 sends.
func peerPacket(st State) *Packet {
	return &Packet{State: st, DetectMult: 3, MyDiscr: 2, YourDiscr: 1,
		DesiredMinTx: 300 * time.Millisecond, RequiredMinRx: 300 * time.Millisecond}
}

// sessionIn drives a fresh session 1 into st by the protocol's own means.
func sessionIn(t testing.TB, st State, now time.Time) *Session {
	t.Helper()
	s := mustSession(t, testConfig(1, 300*time.Millisecond), now, 1)
	switch st {
	case AdminDown:
		s.AdminDown(now)
	case Init:
		mustReceive(t, s, peerPacket(Down), now)
	case Up:
		mustReceive(t, s, peerPacket(Down), now)
		mustReceive(t, s, peerPacket(Init), now)
	}
	if s.State() != st {
		t.Fatalf("could not drive session to %v: in %v", st, s.State())
	}
	return s
}

func mustReceive(t testing.TB, s *Session, p *Packet, now time.Time) Actions {
	t.Helper()
	a, err := s.Receive(p, now)
	if err != nil {
		t.Fatalf("Receive(%+v): %v", p, err)
	}
	return a
}
