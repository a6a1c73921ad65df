package bfd

import (
	"testing"
	"time"
)

// The simulation runs two sessions on one simulated clock and a lossless link
// with a fixed latency. Packets go through Marshal and ReceiveBytes, so the
// codec is in the loop. A frozen side (SIGSTOP) neither ticks nor receives.

type sent struct {
	at time.Time
	p  Packet
}

type side struct {
	s      *Session
	frozen bool
	events []Event
	sent   []sent
}

type flight struct {
	at time.Time
	to int
	b  []byte
}

type sim struct {
	t        *testing.T
	now      time.Time
	latency  time.Duration
	sides    [2]*side
	inflight []flight
}

func newSim(t *testing.T, a, b Config, seed uint64) *sim {
	m := &sim{t: t, now: t0, latency: time.Millisecond}
	m.sides[0] = &side{s: mustSession(t, a, t0, seed)}
	m.sides[1] = &side{s: mustSession(t, b, t0, seed+1)}
	return m
}

func pair(t *testing.T, interval time.Duration, mult uint8, seed uint64) *sim {
	a, b := testConfig(1, interval), testConfig(2, interval)
	a.DetectMult, b.DetectMult = mult, mult
	return newSim(t, a, b, seed)
}

func (m *sim) apply(i int, a Actions) {
	sd := m.sides[i]
	if a.Changed {
		sd.events = append(sd.events, a.Event)
	}
	if !a.Transmit {
		return
	}
	b, err := a.Packet.Marshal()
	if err != nil {
		m.t.Fatalf("side %d: marshal %+v: %v", i, a.Packet, err)
	}
	sd.sent = append(sd.sent, sent{m.now, a.Packet})
	m.inflight = append(m.inflight, flight{m.now.Add(m.latency), 1 - i, b})
}

// run advances the clock event by event until end, or until stop is true.
func (m *sim) run(end time.Time, stop func() bool) bool {
	for steps := 0; ; steps++ {
		if steps > 10_000_000 {
			m.t.Fatal("simulation does not progress")
		}
		next := end
		for _, sd := range m.sides {
			if d := sd.s.NextDeadline(); !sd.frozen && !d.IsZero() && d.Before(next) {
				next = d
			}
		}
		if len(m.inflight) > 0 && m.inflight[0].at.Before(next) {
			next = m.inflight[0].at
		}
		if next.After(end) || next.Equal(end) && stop == nil {
			m.now = end
			return false
		}
		if next.After(m.now) {
			m.now = next
		}
		for len(m.inflight) > 0 && !m.inflight[0].at.After(m.now) {
			f := m.inflight[0]
			m.inflight = m.inflight[1:]
			if sd := m.sides[f.to]; !sd.frozen {
				a, err := sd.s.ReceiveBytes(f.b, m.now)
				if err != nil {
					m.t.Fatalf("side %d rejected %x: %v", f.to, f.b, err)
				}
				m.apply(f.to, a)
			}
		}
		for i, sd := range m.sides {
			if d := sd.s.NextDeadline(); !sd.frozen && !d.IsZero() && !d.After(m.now) {
				m.apply(i, sd.s.Tick(m.now))
			}
		}
		if stop != nil && stop() {
			return true
		}
		if !m.now.Before(end) {
			return false
		}
	}
}

func (m *sim) bothUp() bool { return m.sides[0].s.State() == Up && m.sides[1].s.State() == Up }

func (m *sim) comeUp(within time.Duration) time.Time {
	m.t.Helper()
	if !m.run(m.now.Add(within), m.bothUp) {
		m.t.Fatalf("not Up within %v: %v/%v", within, m.sides[0].s.State(), m.sides[1].s.State())
	}
	return m.now
}

func (m *sim) eventsSince(at time.Time) []Event {
	var out []Event
	for _, sd := range m.sides {
		for _, e := range sd.events {
			if e.At.After(at) {
				out = append(out, e)
			}
		}
	}
	return out
}

func TestPairComesUpAndStaysUp(t *testing.T) {
	m := pair(t, 300*time.Millisecond, 3, 1)
	up := m.comeUp(2 * time.Second)
	if d := up.Sub(t0); d > 10*time.Millisecond {
		t.Errorf("came Up after %v; the three-way handshake takes two link latencies", d)
	}
	m.run(up.Add(1000*time.Second), nil)
	if ev := m.eventsSince(up); len(ev) != 0 {
		t.Fatalf("state changes while Up: %+v", ev)
	}
	for i, sd := range m.sides {
		n := sd.s.Negotiated()
		if n.TxInterval != 300*time.Millisecond || n.DetectionTime != 900*time.Millisecond || n.Polling {
			t.Errorf("side %d negotiated %+v, want tx 300ms, detection 900ms, no poll", i, n)
		}
		// Periodic gaps are jittered to 75–100% of the interval.
		var prev time.Time
		var gaps []time.Duration
		distinct := map[time.Duration]bool{}
		for _, p := range sd.sent {
			if p.at.Before(up.Add(2*time.Second)) || p.p.Final {
				continue
			}
			if !prev.IsZero() {
				g := p.at.Sub(prev)
				gaps = append(gaps, g)
				distinct[g] = true
				if g < 225*time.Millisecond || g > 300*time.Millisecond {
					t.Fatalf("side %d: gap %v outside 225ms..300ms", i, g)
				}
			}
			prev = p.at
		}
		var sum time.Duration
		for _, g := range gaps {
			sum += g
		}
		mean := sum / time.Duration(len(gaps))
		if mean < 250*time.Millisecond || mean > 275*time.Millisecond || len(distinct) < len(gaps)/2 {
			t.Errorf("side %d: %d gaps, mean %v, %d distinct: jitter not uniform over 75-100%%", i, len(gaps), mean, len(distinct))
		}
	}
}

// TestDetection: a frozen peer is declared Down with diag 1 exactly one
// detection time after its last packet arrived, and the pair comes back Up
// when it resumes.
func TestDetection(t *testing.T) {
	for _, c := range []struct {
		interval time.Duration
		mult     uint8
	}{{300 * time.Millisecond, 3}, {100 * time.Millisecond, 3}, {50 * time.Millisecond, 3}, {300 * time.Millisecond, 1}} {
		for seed := uint64(1); seed <= 5; seed++ {
			m := pair(t, c.interval, c.mult, seed*10)
			up := m.comeUp(2 * time.Second)
			// Freeze at a seed-dependent moment inside an interval.
			m.run(up.Add(10*time.Second+time.Duration(seed)*37*time.Millisecond), nil)
			a, b := m.sides[0], m.sides[1]
			detect := b.s.Negotiated().DetectionTime
			if want := time.Duration(c.mult) * c.interval; detect != want {
				t.Fatalf("%v x%d: detection time %v, want %v", c.interval, c.mult, detect, want)
			}
			a.frozen = true
			frozenAt := m.now
			if !m.run(frozenAt.Add(10*time.Second), func() bool { return b.s.State() != Up }) {
				t.Fatalf("%v x%d: peer frozen, still Up after 10 s", c.interval, c.mult)
			}
			down := b.events[len(b.events)-1]
			lastSent := a.sent[len(a.sent)-1].at
			if down.To != Down || down.Diag != ControlDetectionTimeExpired {
				t.Fatalf("%v x%d: event %+v, want Down with diag 1", c.interval, c.mult, down)
			}
			if got := down.At.Sub(lastSent.Add(m.latency)); got != detect {
				t.Errorf("%v x%d: Down %v after the last packet arrived, want exactly %v", c.interval, c.mult, got, detect)
			}
			if got := down.At.Sub(frozenAt); got < detect-c.interval || got > detect {
				t.Errorf("%v x%d: Down %v after the freeze, want within [%v, %v]", c.interval, c.mult, got, detect-c.interval, detect)
			}
			if got := down.At.Sub(lastSent); got < detect || got > detect+c.interval {
				t.Errorf("%v x%d: Down %v after the last transmission, want within [mult x interval, + one tx]", c.interval, c.mult, got)
			}
			if b.s.RemoteDiscr() != 0 {
				t.Errorf("remote discriminator %d kept after detection time", b.s.RemoteDiscr())
			}
			a.frozen = false
			m.comeUp(5 * time.Second)
		}
	}
}

// TestRetuneWithoutFlap: 300 ms -> 100 ms and back on a live session runs
// Poll/Final sequences and never leaves Up; a larger DesiredMinTx is only
// used after the Final (§6.8.3).
func TestRetuneWithoutFlap(t *testing.T) {
	m := pair(t, 300*time.Millisecond, 3, 7)
	up := m.comeUp(2 * time.Second)
	m.run(up.Add(5*time.Second), nil)
	a, b := m.sides[0], m.sides[1]
	fast := testConfig(1, 100*time.Millisecond)
	act, err := a.s.SetParams(fast, m.now)
	if err != nil || act.Transmit {
		t.Fatalf("SetParams: %v, transmit %v (the Poll must ride the periodic packets)", err, act.Transmit)
	}
	if n := a.s.Negotiated(); !n.Polling || n.DesiredMinTx != 100*time.Millisecond || n.DetectionTime != 900*time.Millisecond {
		t.Fatalf("after SetParams: %+v; want polling, advertising 100ms, detection still 900ms (smaller RX waits for Final)", n)
	}
	m.apply(0, act)
	m.run(m.now.Add(2*time.Second), nil)
	if a.s.Negotiated().Polling {
		t.Fatal("A's Poll Sequence never completed")
	}
	fast.LocalDiscr = 2
	act, _ = b.s.SetParams(fast, m.now)
	m.apply(1, act)
	m.run(m.now.Add(2*time.Second), nil)
	for i, sd := range m.sides {
		if n := sd.s.Negotiated(); n.TxInterval != 100*time.Millisecond || n.DetectionTime != 300*time.Millisecond || n.Polling {
			t.Errorf("side %d after 100ms retune: %+v", i, n)
		}
	}
	pollsA, finalsB := 0, 0
	for _, p := range a.sent {
		if p.p.Poll && p.at.After(up.Add(time.Second)) {
			pollsA++
		}
	}
	for _, p := range b.sent {
		if p.p.Final && p.at.After(up.Add(time.Second)) {
			finalsB++
		}
	}
	if pollsA == 0 || finalsB == 0 {
		t.Errorf("A sent %d Polls, B %d Finals", pollsA, finalsB)
	}

	// Back to 300 ms on A: the slower rate waits for B's Final.
	act, _ = a.s.SetParams(testConfig(1, 300*time.Millisecond), m.now)
	if n := a.s.Negotiated(); n.TxInterval != 100*time.Millisecond || n.DesiredMinTx != 300*time.Millisecond {
		t.Fatalf("increase applied before the Final: %+v", n)
	}
	m.apply(0, act)
	m.run(m.now.Add(2*time.Second), nil)
	if n := a.s.Negotiated(); n.TxInterval != 300*time.Millisecond || n.Polling {
		t.Errorf("after the Final A runs %+v, want tx 300ms", n)
	}
	if n := b.s.Negotiated(); n.DetectionTime != 900*time.Millisecond {
		t.Errorf("B detection %v after A slowed to 300ms, want 900ms", n.DetectionTime)
	}
	m.run(m.now.Add(100*time.Second), nil)
	if ev := m.eventsSince(up); len(ev) != 0 {
		t.Fatalf("retuning flapped the session: %+v", ev)
	}
}

func TestPassiveNeverTransmitsFirst(t *testing.T) {
	a, b := testConfig(1, 300*time.Millisecond), testConfig(2, 300*time.Millisecond)
	b.Passive = true
	m := newSim(t, a, b, 3)
	m.sides[0].frozen = true
	m.run(t0.Add(30*time.Second), nil)
	if n := len(m.sides[1].sent); n != 0 || m.sides[1].s.NextDeadline() != (time.Time{}) {
		t.Fatalf("passive side sent %d packets before hearing anyone", n)
	}
	m.sides[0].frozen = false
	m.comeUp(3 * time.Second)
	first := m.sides[1].sent[0]
	if arrival := m.sides[0].sent[0].at.Add(m.latency); first.at.Before(arrival) || first.p.YourDiscr != 1 {
		t.Errorf("passive side's first packet at %v (your discr %d), peer's first arrived at %v", first.at, first.p.YourDiscr, arrival)
	}

	a.Passive = true
	both := newSim(t, a, b, 4)
	both.run(t0.Add(30*time.Second), nil)
	if len(both.sides[0].sent)+len(both.sides[1].sent) != 0 || both.bothUp() {
		t.Error("two passive sides talked")
	}
}

func TestAdminDownSignalsPeer(t *testing.T) {
	m := pair(t, 300*time.Millisecond, 3, 5)
	m.comeUp(2 * time.Second)
	m.run(m.now.Add(3*time.Second), nil)
	a, b := m.sides[0], m.sides[1]
	act := a.s.AdminDown(m.now)
	if !act.Changed || act.Event.To != AdminDown || act.Event.Diag != AdministrativelyDown {
		t.Fatalf("AdminDown event %+v", act.Event)
	}
	if !act.Transmit || act.Packet.State != AdminDown || act.Packet.Diag != AdministrativelyDown {
		t.Fatalf("AdminDown not announced: %+v", act)
	}
	m.apply(0, act)
	m.run(m.now.Add(10*time.Millisecond), nil)
	if b.s.State() != Down || b.s.Diag() != NeighborSignaledSessionDown {
		t.Fatalf("peer is %v/%v, want Down with diag 3", b.s.State(), b.s.Diag())
	}
	m.run(m.now.Add(30*time.Second), nil)
	if a.s.State() != AdminDown || b.s.State() != Down {
		t.Fatalf("after 30 s: %v/%v", a.s.State(), b.s.State())
	}
	m.apply(0, a.s.Enable(m.now))
	m.comeUp(5 * time.Second)
}
