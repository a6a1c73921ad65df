package bfd

import (
	"strings"
	"testing"
	"time"
)

// While not Up we advertise and use at least 1 s (§6.8.3); once Up the
// configured interval, announced with a Poll.
func TestSlowTxWhileNotUp(t *testing.T) {
	s := mustSession(t, testConfig(1, 300*time.Millisecond), t0, 1)
	a := s.Tick(t0)
	if !a.Transmit || a.Packet.DesiredMinTx != time.Second || a.Packet.RequiredMinRx != 300*time.Millisecond || a.Packet.Poll {
		t.Fatalf("first packet %+v: want Desired Min TX 1s, Required Min RX 300ms, no Poll", a.Packet)
	}
	if n := s.Negotiated(); n.TxInterval != time.Second {
		t.Errorf("tx interval while Down %v, want 1s", n.TxInterval)
	}
	if gap := a.Deadline.Sub(t0); gap < 750*time.Millisecond || gap > time.Second {
		t.Errorf("next packet in %v, want 750ms..1s", gap)
	}
	mustReceive(t, s, peerPacket(Down), t0)
	a = mustReceive(t, s, peerPacket(Init), t0)
	if s.State() != Up || !a.Transmit || a.Packet.DesiredMinTx != 300*time.Millisecond || !a.Packet.Poll {
		t.Fatalf("going Up sent %+v: want Desired Min TX 300ms with Poll", a.Packet)
	}
	if n := s.Negotiated(); n.TxInterval != 300*time.Millisecond {
		t.Errorf("tx interval once Up %v, want 300ms (a decrease applies at once)", n.TxInterval)
	}
}

func TestJitterBounds(t *testing.T) {
	for _, c := range []struct {
		mult     uint8
		r        float64
		min, max time.Duration
	}{{3, 0, 75 * time.Millisecond, 75 * time.Millisecond}, {3, 0.999999, 99 * time.Millisecond, 100 * time.Millisecond},
		{1, 0, 75 * time.Millisecond, 75 * time.Millisecond}, {1, 0.999999, 89 * time.Millisecond, 90 * time.Millisecond}} {
		cfg := testConfig(1, 100*time.Millisecond)
		cfg.DetectMult = c.mult
		s, _ := NewSession(cfg, t0, func() float64 { return c.r })
		s.state = Up
		s.updateLocalTimers()
		if g := s.jittered(s.txInterval()); g < c.min || g > c.max {
			t.Errorf("mult %d r %v: gap %v, want %v..%v", c.mult, c.r, g, c.min, c.max)
		}
	}
}

// FRR keeps sending at 1 s while Down and while its Poll runs, whatever it
// advertises: we time it out on no less than 1 s per packet then.
func TestDetectionTolerantOfSlowPeerNotUp(t *testing.T) {
	s := mustSession(t, testConfig(1, 300*time.Millisecond), t0, 1)
	p := peerPacket(Down)
	mustReceive(t, s, p, t0)
	if d := s.Negotiated().DetectionTime; d != 3*time.Second {
		t.Errorf("peer Down advertising 300ms: detection %v, want 3s", d)
	}
	p = peerPacket(Up)
	p.Poll = true
	mustReceive(t, s, p, t0)
	if d := s.Negotiated().DetectionTime; d != 3*time.Second {
		t.Errorf("peer polling: detection %v, want 3s", d)
	}
	mustReceive(t, s, peerPacket(Up), t0)
	if d := s.Negotiated().DetectionTime; d != 900*time.Millisecond {
		t.Errorf("peer Up: detection %v, want 900ms", d)
	}
}

// A smaller RequiredMinRx shortens our detection time only after the Final.
func TestRxDecreaseWaitsForFinal(t *testing.T) {
	s := settledUp(t)
	p := peerPacket(Up)
	p.DesiredMinTx = 100 * time.Millisecond
	mustReceive(t, s, p, t0)
	if d := s.Negotiated().DetectionTime; d != 900*time.Millisecond {
		t.Fatalf("detection %v, want 3 x max(300ms rx, 100ms) = 900ms", d)
	}
	cfg := s.Config()
	cfg.RequiredMinRx = 100 * time.Millisecond
	if _, err := s.SetParams(cfg, t0); err != nil {
		t.Fatal(err)
	}
	mustReceive(t, s, p, t0)
	if d := s.Negotiated().DetectionTime; d != 900*time.Millisecond {
		t.Fatalf("detection %v before the Final, want 900ms", d)
	}
	at := s.NextDeadline()
	if a := s.Tick(at); !a.Transmit || !a.Packet.Poll || a.Packet.RequiredMinRx != 100*time.Millisecond {
		t.Fatalf("periodic packet %+v: want Poll advertising 100ms", a.Packet)
	}
	f := peerPacket(Up)
	f.DesiredMinTx, f.Final = 100*time.Millisecond, true
	mustReceive(t, s, f, at)
	if n := s.Negotiated(); n.DetectionTime != 300*time.Millisecond || n.Polling {
		t.Fatalf("after the Final %+v, want detection 300ms", n)
	}
}

// A change during a Poll needs a Final to a Poll sent after it.
func TestChangeDuringPollNeedsAnotherFinal(t *testing.T) {
	s := settledUp(t)
	cfg := s.Config()
	cfg.DesiredMinTx = 500 * time.Millisecond
	s.SetParams(cfg, t0)
	cfg.DesiredMinTx = 700 * time.Millisecond
	s.SetParams(cfg, t0)
	final := peerPacket(Up)
	final.Final = true
	mustReceive(t, s, final, t0)
	if n := s.Negotiated(); !n.Polling || n.TxInterval != 300*time.Millisecond {
		t.Fatalf("after one Final %+v: want still polling at 300ms", n)
	}
	mustReceive(t, s, final, t0)
	if n := s.Negotiated(); n.Polling || n.TxInterval != 700*time.Millisecond {
		t.Fatalf("after the second Final %+v: want 700ms", n)
	}
}

// settledUp is an Up session whose Poll for the move to its Up intervals
// has been answered.
func settledUp(t *testing.T) *Session {
	s := sessionIn(t, Up, t0)
	f := peerPacket(Up)
	f.Final = true
	mustReceive(t, s, f, t0)
	if s.Negotiated().Polling {
		t.Fatal("Final did not end the Poll Sequence")
	}
	return s
}

// A Poll is answered at once with a Final, outside the periodic schedule.
func TestPollAnsweredImmediately(t *testing.T) {
	s := sessionIn(t, Up, t0)
	before := s.NextDeadline()
	p := peerPacket(Up)
	p.Poll = true
	a := mustReceive(t, s, p, t0.Add(time.Millisecond))
	if !a.Transmit || !a.Packet.Final || a.Packet.Poll {
		t.Fatalf("answer %+v: want F set, P clear", a.Packet)
	}
	if !s.NextDeadline().Equal(before) {
		t.Errorf("a Final moved the periodic schedule from %v to %v", before, s.NextDeadline())
	}
}

func TestRemoteRequiredMinRx(t *testing.T) {
	s := sessionIn(t, Up, t0)
	p := peerPacket(Up)
	p.RequiredMinRx = 2 * time.Second
	mustReceive(t, s, p, t0)
	if n := s.Negotiated(); n.TxInterval != 2*time.Second {
		t.Fatalf("tx interval %v, want the peer's 2s", n.TxInterval)
	}
	last := s.nextTx
	mustReceive(t, s, p, last.Add(-time.Millisecond)) // the peer is alive
	if a := s.Tick(last); !a.Transmit {
		t.Fatalf("no periodic packet at %v", last)
	}
	p.RequiredMinRx = 50 * time.Millisecond
	mustReceive(t, s, p, last.Add(10*time.Millisecond))
	if d := s.NextDeadline(); d.After(last.Add(300 * time.Millisecond)) {
		t.Errorf("peer lowered its RX: next packet at +%v, want within our 300ms", d.Sub(last))
	}
	p.RequiredMinRx = 0
	mustReceive(t, s, p, t0)
	if n := s.Negotiated(); n.TxInterval != 0 {
		t.Errorf("peer asked for no packets: tx interval %v", n.TxInterval)
	}
	if a := s.Tick(t0.Add(800 * time.Millisecond)); a.Transmit {
		t.Errorf("periodic packet sent to a peer with Required Min RX 0")
	}
	p.Poll = true
	if a := mustReceive(t, s, p, t0); !a.Transmit || !a.Packet.Final {
		t.Error("Poll not answered with Required Min RX 0")
	}
}

func TestConfigValidate(t *testing.T) {
	err := Config{DesiredMinTx: -1, RequiredMinRx: MaxInterval + time.Microsecond}.Validate()
	for _, want := range []string{"LocalDiscr", "DesiredMinTx", "RequiredMinRx", "DetectMult"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate missed %s: %v", want, err)
		}
	}
	if err := testConfig(1, time.Millisecond).Validate(); err != nil {
		t.Errorf("valid config rejected: %v", err)
	}
	s := sessionIn(t, Up, t0)
	if _, err := s.SetParams(testConfig(9, time.Second), t0); err == nil {
		t.Error("SetParams changed LocalDiscr")
	}
	if _, err := NewSession(testConfig(1, time.Second), t0, nil); err == nil {
		t.Error("NewSession accepted a nil random source")
	}
}

func TestReceiveAndTickDoNotAllocate(t *testing.T) {
	s := sessionIn(t, Up, t0)
	b, _ := peerPacket(Up).Marshal()
	now := t0
	if n := testing.AllocsPerRun(200, func() {
		now = now.Add(10 * time.Millisecond)
		if _, err := s.ReceiveBytes(b, now); err != nil {
			t.Fatal(err)
		}
		s.Tick(now)
	}); n != 0 {
		t.Errorf("ReceiveBytes+Tick allocate %.1f times per packet", n)
	}
}
