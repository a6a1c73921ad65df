package bfdio

import (
	"context"
	"testing"
	"time"

	"github.com/bgplb/bgplb/speaker/bfd"
)

const ms = time.Millisecond

func routerCfg(discr uint32, tx time.Duration) bfd.Config {
	return bfd.Config{LocalDiscr: discr, DesiredMinTx: tx, RequiredMinRx: tx, DetectMult: 3}
}

func TestSessionComesUpWithNegotiatedTimers(t *testing.T) {
	s := newSim(t)
	r1 := s.router("192.0.2.2", routerCfg(77, 100*ms))
	s.set(s.spec("r1", r1, 300*ms, 3))
	s.run(5 * time.Second)
	st := s.status("r1")
	if st.State != bfd.Up || s.peers[r1].State() != bfd.Up {
		t.Fatalf("manager %v, router %v; want both Up", st.State, s.peers[r1].State())
	}
	// We want 300 ms, the router 100 ms: each sends at the slower of the two.
	if st.Timers.TxInterval != 300*ms || st.Timers.DetectionTime != 900*ms {
		t.Errorf("timers %+v; want tx 300ms, detection 900ms", st.Timers)
	}
	if st.RemoteDiscr != 77 || st.LocalDiscr == 0 || st.ControlIn == 0 || st.ControlOut == 0 || st.UpEvents != 1 {
		t.Errorf("status %+v", st)
	}
	if n := len(s.events); n == 0 || n > 2 || s.events[n-1].To != bfd.Up || s.events[n-1].Peer != "r1" {
		t.Errorf("events %+v; want (Down→Init,) →Up", s.events)
	}
}

func TestSingleHopAcceptsOnlyTTL255(t *testing.T) {
	s := newSim(t)
	r1 := s.router("192.0.2.2", routerCfg(77, 100*ms))
	s.set(s.spec("r1", r1, 100*ms, 3))
	p := bfd.Packet{State: bfd.Down, DetectMult: 3, MyDiscr: 77, DesiredMinTx: time.Second, RequiredMinRx: time.Second}
	for _, ttl := range []int{254, 1, -1} {
		s.toManager(r1, &p, ttl)
	}
	if st := s.status("r1"); st.ControlIn != 0 || st.State != bfd.Down || st.RemoteDiscr != 0 {
		t.Fatalf("a packet with TTL < 255 was processed: %+v", st)
	}
	if d := s.m.Drops()["ttl"]; d != 3 {
		t.Errorf("ttl drops %d, want 3", d)
	}
	s.toManager(r1, &p, 255)
	if st := s.status("r1"); st.ControlIn != 1 || st.State != bfd.Init {
		t.Fatalf("TTL 255 packet not processed: %+v", st)
	}
}

func TestMultihopMinTTL(t *testing.T) {
	s := newSim(t)
	r := s.router("203.0.113.9", routerCfg(5, 100*ms))
	sp := s.spec("mh", r, 100*ms, 3)
	sp.Multihop, sp.MinTTL = true, 250
	s.set(sp)
	p := bfd.Packet{State: bfd.Down, DetectMult: 3, MyDiscr: 5, DesiredMinTx: time.Second, RequiredMinRx: time.Second}
	b, _ := p.Marshal()
	s.m.deliver(&Inbound{Data: b, Src: r, TTL: 249, Multihop: true})
	s.m.deliver(&Inbound{Data: b, Src: r, TTL: 255}) // single-hop port: not this session
	if st := s.status("mh"); st.ControlIn != 0 {
		t.Fatalf("accepted TTL 249 or a single-hop packet: %+v drops %v", st, s.m.Drops())
	}
	s.m.deliver(&Inbound{Data: b, Src: r, TTL: 250, Multihop: true})
	if st := s.status("mh"); st.ControlIn != 1 {
		t.Fatalf("TTL 250 >= minimumTtl not accepted: drops %v", s.m.Drops())
	}
}

func TestDemux(t *testing.T) {
	s := newSim(t)
	a := s.router("192.0.2.2", routerCfg(11, 100*ms))
	b := s.router("192.0.2.6", routerCfg(22, 100*ms))
	s.set(s.spec("a", a, 100*ms, 3), s.spec("b", b, 100*ms, 3))
	da, db := s.status("a").LocalDiscr, s.status("b").LocalDiscr
	if da == db || da == 0 || db == 0 {
		t.Fatalf("discriminators %d %d: want distinct nonzero", da, db)
	}
	init := func(my, your uint32) *bfd.Packet {
		return &bfd.Packet{State: bfd.Init, DetectMult: 3, MyDiscr: my, YourDiscr: your, DesiredMinTx: time.Second, RequiredMinRx: time.Second}
	}
	s.toManager(b, init(22, da), 255) // b's address, a's discriminator
	if d := s.m.Drops()["source"]; d != 1 {
		t.Errorf("packet naming a's session from b's address: drops %v, want source=1", s.m.Drops())
	}
	s.toManager(b, init(22, 12345), 255)
	if d := s.m.Drops()["no_session"]; d != 1 {
		t.Errorf("unknown discriminator: drops %v", s.m.Drops())
	}
	s.toManager(b, init(22, db), 255)
	if st := s.status("b"); st.State != bfd.Up || s.status("a").ControlIn != 0 {
		t.Errorf("b by discriminator: b %v, a in %d", st.State, s.status("a").ControlIn)
	}
	down := &bfd.Packet{State: bfd.Down, DetectMult: 3, MyDiscr: 11, DesiredMinTx: time.Second, RequiredMinRx: time.Second}
	s.toManager(a, down, 255) // Your Discriminator 0: found by source
	if st := s.status("a"); st.State != bfd.Init || st.RemoteDiscr != 11 {
		t.Errorf("a by source: %+v", st)
	}
	if _, err := s.m.Session("a"); !err {
		t.Fatal("a gone")
	}
	var many []Spec
	for i := range 200 {
		sp := s.spec("p", a, 100*ms, 3)
		sp.Peer = "p" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		sp.PeerAddr = a.Next()
		for range i {
			sp.PeerAddr = sp.PeerAddr.Next()
		}
		many = append(many, sp)
	}
	s.set(many...)
	seen := map[uint32]bool{}
	for _, st := range s.m.Sessions() {
		if seen[st.LocalDiscr] || st.LocalDiscr == 0 {
			t.Fatalf("discriminator %d reused or zero", st.LocalDiscr)
		}
		seen[st.LocalDiscr] = true
	}
}

func TestDetectionTakesSessionDown(t *testing.T) {
	s := newSim(t)
	r1 := s.router("192.0.2.2", routerCfg(77, 100*ms))
	s.set(s.spec("r1", r1, 100*ms, 3))
	s.run(3 * time.Second)
	if s.status("r1").State != bfd.Up {
		t.Fatal("not Up")
	}
	s.events = nil
	s.cut[r1] = true
	start := s.clk.Now()
	s.run(time.Second)
	if len(s.events) != 1 || s.events[0].To != bfd.Down || s.events[0].Diag != bfd.ControlDetectionTimeExpired {
		t.Fatalf("events %+v; want one Up→Down, diag ControlDetectionTimeExpired", s.events)
	}
	// The last packet arrived at most one jittered interval before the cut.
	if took := s.events[0].At.Sub(start); took > 300*ms || took < 200*ms {
		t.Errorf("detected after %v; want 200–300 ms (3 × 100 ms from the last packet)", took)
	}
	if st := s.status("r1"); st.DownEvents != 1 || st.State != bfd.Down {
		t.Errorf("status %+v", st)
	}
	s.cut[r1] = false
	s.run(4 * time.Second)
	if st := s.status("r1"); st.State != bfd.Up || st.UpEvents != 2 {
		t.Errorf("after the router came back: %+v", st)
	}
}

func TestRetuneWithoutFlap(t *testing.T) {
	s := newSim(t)
	r1 := s.router("192.0.2.2", routerCfg(77, 100*ms))
	sp := s.spec("r1", r1, 300*ms, 3)
	s.set(sp)
	s.run(3 * time.Second)
	s.events = nil
	discr := s.status("r1").LocalDiscr
	sp.DesiredMinTx, sp.RequiredMinRx = 100*ms, 100*ms
	s.set(sp)
	s.run(5 * time.Second)
	st := s.status("r1")
	if len(s.events) != 0 || st.State != bfd.Up || st.LocalDiscr != discr {
		t.Fatalf("retune flapped: events %+v, status %+v", s.events, st)
	}
	if st.Timers.TxInterval != 100*ms || st.Timers.Polling || s.peers[r1].Negotiated().RemoteDesiredMinTx != 100*ms {
		t.Errorf("after retune: ours %+v, router sees %+v", st.Timers, s.peers[r1].Negotiated())
	}
}

func TestRemoveSendsAdminDown(t *testing.T) {
	s := newSim(t)
	r1 := s.router("192.0.2.2", routerCfg(77, 100*ms))
	s.set(s.spec("r1", r1, 100*ms, 3))
	s.run(3 * time.Second)
	snd := s.net.sender(r1)
	s.set()
	sent := snd.take()
	var p bfd.Packet
	if len(sent) == 0 || p.Unmarshal(sent[len(sent)-1]) != nil || p.State != bfd.AdminDown || p.Diag != bfd.AdministrativelyDown {
		t.Fatalf("last packet %+v; want AdminDown diag 7", p)
	}
	if !snd.closed || len(s.m.Sessions()) != 0 {
		t.Errorf("socket closed %v, sessions %v", snd.closed, s.m.Sessions())
	}
	_, _ = s.peers[r1].ReceiveBytes(sent[len(sent)-1], s.clk.Now())
	if s.peers[r1].State() != bfd.Down || s.peers[r1].Diag() != bfd.NeighborSignaledSessionDown {
		t.Errorf("router after AdminDown: %v %v", s.peers[r1].State(), s.peers[r1].Diag())
	}
}

func TestSetValidatesAllAndAppliesTheRest(t *testing.T) {
	s := newSim(t)
	r1 := s.router("192.0.2.2", routerCfg(77, 100*ms))
	good := s.spec("good", r1, 100*ms, 3)
	noAddr := Spec{Peer: "noaddr", DesiredMinTx: 100 * ms, RequiredMinRx: 100 * ms, DetectMult: 3}
	dupAddr := s.spec("dup", r1, 100*ms, 3)
	zeroMult := s.spec("zero", r1.Next(), 100*ms, 0)
	err := s.m.Set(context.Background(), []Spec{good, noAddr, dupAddr, zeroMult})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"noaddr", "dup", "zero", "DetectMult"} {
		if !contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if ss := s.m.Sessions(); len(ss) != 1 || ss[0].Peer != "good" {
		t.Errorf("sessions %+v; want only good", ss)
	}
}

func TestOpenFailureIsRetried(t *testing.T) {
	s := newSim(t)
	r1 := s.router("192.0.2.2", routerCfg(77, 100*ms))
	s.net.failOpen = errString("cannot assign requested address")
	s.set(s.spec("r1", r1, 100*ms, 3))
	if st := s.status("r1"); st.LastError == "" {
		t.Fatal("no error reported")
	}
	s.net.failOpen = nil
	s.run(4 * time.Second)
	if st := s.status("r1"); st.State != bfd.Up || st.LastError != "" {
		t.Fatalf("after the address appeared: %+v", st)
	}
}

func TestDeliverDoesNotAllocate(t *testing.T) {
	s := newSim(t)
	r1 := s.router("192.0.2.2", routerCfg(77, 100*ms))
	s.set(s.spec("r1", r1, 100*ms, 3))
	s.run(3 * time.Second)
	p := bfd.Packet{State: bfd.Up, DetectMult: 3, MyDiscr: 77, YourDiscr: s.status("r1").LocalDiscr,
		DesiredMinTx: 100 * ms, RequiredMinRx: 100 * ms}
	b, _ := p.Marshal()
	in := &Inbound{Data: b, Src: r1, TTL: 255}
	if n := testing.AllocsPerRun(1000, func() { s.m.deliver(in) }); n != 0 {
		t.Errorf("deliver allocates %.1f times per packet", n)
	}
	if n := testing.AllocsPerRun(1000, func() { s.clk.Advance(ms); s.m.runDue(s.clk.Now()) }); n != 0 {
		t.Errorf("runDue allocates %.1f times per tick", n)
	}
}

// TestRunDrivesTimersAndWatchers runs the real loop on the fake clock.
func TestRunDrivesTimersAndWatchers(t *testing.T) {
	clk, nw := newFakeClock(), newMemNet()
	m := New(Options{Network: nw, Clock: clk, Seed: 2})
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan Event, 8)
	m.Watch(ctx, func(ev Event) { got <- ev })
	done := make(chan error)
	go func() { done <- m.Run(ctx) }()
	peer := routerCfg(9, 100*ms)
	r, _ := bfd.NewSession(peer, clk.Now(), func() float64 { return 0.5 })
	addr := s4("192.0.2.2")
	if err := m.Set(ctx, []Spec{{Peer: "r", PeerAddr: addr, DesiredMinTx: 100 * ms, RequiredMinRx: 100 * ms, DetectMult: 3}}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for m.status1("r").State != bfd.Up && time.Now().Before(deadline) {
		clk.Advance(10 * ms)
		time.Sleep(time.Millisecond) // let the loop run
		if snd := nw.sender(addr); snd != nil {
			for _, b := range snd.take() {
				if a, err := r.ReceiveBytes(b, clk.Now()); err == nil && a.Transmit {
					pb, _ := a.Packet.Marshal()
					nw.deliver(&Inbound{Data: pb, Src: addr, TTL: 255})
				}
			}
		}
	}
	select {
	case ev := <-got:
		if ev.Peer != "r" {
			t.Errorf("event %+v", ev)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no event reached the watcher")
	}
	if m.status1("r").State != bfd.Up {
		t.Fatalf("not Up: %+v", m.status1("r"))
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var p bfd.Packet
	sent := nw.sender(addr).take()
	if len(sent) == 0 || p.Unmarshal(sent[len(sent)-1]) != nil || p.State != bfd.AdminDown {
		t.Errorf("shutdown did not send AdminDown: %+v", p)
	}
}
