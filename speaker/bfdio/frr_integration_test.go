package bfdio

import (
	"net/netip"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/bgplb/bgplb/speaker/bfd"
	"github.com/bgplb/bgplb/testing/nsrig"
)

const frrBFDOnly = `
bfd
 peer 192.0.2.1 local-address 192.0.2.2 interface r1-sp
  receive-interval 100
  transmit-interval 100
  detect-multiplier 3
 !
 peer 2001:db8:1::1 local-address 2001:db8:1::2 interface r1-sp
  receive-interval 100
  transmit-interval 100
 !
!
`

func spec(peer, addr, local string, interval time.Duration) Spec {
	return Spec{Peer: peer, PeerAddr: netip.MustParseAddr(addr), LocalAddr: netip.MustParseAddr(local),
		DesiredMinTx: interval, RequiredMinRx: interval, DetectMult: 3, MinTTL: 254}
}

// TestIntegrationFRR runs our sessions against FRR 8.4's bfdd over a veth pair:
// Up with the negotiated intervals on IPv4 and IPv6, a live retune with no
// Down on either side, TTL 254 ignored (and TTL 255 obeyed, so the check can
// fail), the speaker frozen (FRR declares it down) and bfdd frozen (we do).
func TestIntegrationFRR(t *testing.T) {
	nsrig.Need(t, "vtysh", "ss")
	l := newLab(t)
	l.frr(frrBFDOnly, false)
	h := l.startHelper(helperConfig{})
	v4 := spec("r1", "192.0.2.2", "192.0.2.1", 300*ms)
	v6 := spec("r1v6", "2001:db8:1::2", "2001:db8:1::1", 300*ms)
	h.set(v4, v6)

	l.WaitFor(10*time.Second, "FRR sees both sessions up", func() bool {
		p4, _ := l.frrBFD("192.0.2.1")
		p6, _ := l.frrBFD("2001:db8:1::1")
		return p4.Status == "up" && p6.Status == "up"
	})
	st := h.status("r1")
	p4, _ := l.frrBFD("192.0.2.1")
	t.Logf("FRR: %+v\nours: %+v", p4, st)
	if p4.RemoteTx != 300 || p4.RemoteRx != 300 || p4.RemoteMult != 3 || p4.RemoteEchoRx != 0 || p4.RemoteID != st.LocalDiscr {
		t.Errorf("FRR sees %+v; want our 300/300/3, no echo, discriminator %d", p4, st.LocalDiscr)
	}
	if st.State != bfd.Up || st.Timers.TxInterval != 300*ms || st.Timers.DetectionTime != 900*ms || st.RemoteDiscr != p4.ID {
		t.Errorf("ours %+v; want Up, tx 300ms, detection 900ms, remote discriminator %d", st, p4.ID)
	}
	if port := st.Local.Port(); port < minSourcePort || st.Local.Addr() != spAddr {
		t.Errorf("transmit socket %v; want 192.0.2.1 and a port in 49152-65535", st.Local)
	}
	if h.status("r1v6").State != bfd.Up {
		t.Errorf("IPv6 session %+v", h.status("r1v6"))
	}

	t.Run("echo port left alone", func(t *testing.T) {
		out, _ := exec.Command("ip", "netns", "exec", l.sp, "ss", "-H", "-uln").Output()
		if strings.Contains(string(out), ":3785") || !strings.Contains(string(out), ":3784") || !strings.Contains(string(out), ":4784") {
			t.Errorf("UDP listeners in the speaker namespace:\n%s\nwant 3784 and 4784, never 3785", out)
		}
	})

	t.Run("retune 300 to 100 without a flap", func(t *testing.T) {
		downs, n := l.frrDowns("192.0.2.1"), h.eventCount()
		v4.DesiredMinTx, v4.RequiredMinRx = 100*ms, 100*ms
		h.set(v4, v6)
		l.WaitFor(5*time.Second, "FRR sees 100/100", func() bool {
			p, _ := l.frrBFD("192.0.2.1")
			return p.RemoteTx == 100 && p.RemoteRx == 100
		})
		time.Sleep(2 * time.Second) // a flap would show within the old detection time
		p, _ := l.frrBFD("192.0.2.1")
		st := h.status("r1")
		if ev := h.eventsSince(n); len(ev) != 0 || l.frrDowns("192.0.2.1") != downs || p.Status != "up" {
			t.Fatalf("retune flapped: our events %+v, FRR downs %d→%d, FRR %+v", ev, downs, l.frrDowns("192.0.2.1"), p)
		}
		if st.Timers.TxInterval != 100*ms || st.Timers.DetectionTime != 300*ms || st.Timers.Polling {
			t.Errorf("negotiated %+v; want 100 ms × 3 both ways", st.Timers)
		}
	})

	t.Run("single-hop packet with TTL 254 ignored", func(t *testing.T) {
		st := h.status("r1")
		p, _ := l.frrBFD("192.0.2.1")
		down := bfd.Packet{State: bfd.Down, Diag: bfd.PathDown, DetectMult: 3, MyDiscr: p.ID, YourDiscr: st.LocalDiscr,
			DesiredMinTx: 100 * ms, RequiredMinRx: 100 * ms}
		from, to := netip.AddrPortFrom(r1Addr, 0), netip.AddrPortFrom(spAddr, SingleHopPort)
		drops := h.do(helperCmd{Op: "status"}).Drops["ttl"]
		n := h.eventCount()
		l.forgeFrom(l.r1, from, to, 254, down)
		l.WaitFor(2*time.Second, "the TTL drop counted", func() bool { return h.do(helperCmd{Op: "status"}).Drops["ttl"] > drops })
		if ev := h.eventsSince(n); len(ev) != 0 || h.status("r1").State != bfd.Up {
			t.Fatalf("a TTL 254 Down packet changed the session: %+v", ev)
		}
		// The same packet with TTL 255 is obeyed: the check above can fail.
		l.forgeFrom(l.r1, from, to, 255, down)
		l.WaitFor(2*time.Second, "TTL 255 Down packet takes the session down", func() bool {
			for _, ev := range h.eventsSince(n) {
				if ev.Peer == "r1" && ev.To == bfd.Down && ev.Diag == bfd.NeighborSignaledSessionDown {
					return true
				}
			}
			return false
		})
		l.WaitFor(10*time.Second, "session Up again", func() bool { return h.status("r1").State == bfd.Up })
	})

	t.Run("speaker frozen: FRR declares it down", func(t *testing.T) {
		l.WaitFor(10*time.Second, "FRR up", func() bool { p, _ := l.frrBFD("192.0.2.1"); return p.Status == "up" })
		start := time.Now()
		h.stop()
		var p frrPeer
		l.WaitFor(3*time.Second, "FRR declares the frozen speaker down", func() bool {
			p, _ = l.frrBFD("192.0.2.1")
			return p.Status != "up"
		})
		took := time.Since(start)
		h.cont()
		t.Logf("FRR down after %v: %+v", took, p)
		if took > time.Second || p.Diagnostic != "control detection time expired" {
			t.Errorf("FRR took %v (diag %q); want within ~300 ms + polling, detection time expired", took, p.Diagnostic)
		}
		l.WaitFor(10*time.Second, "up again after SIGCONT", func() bool {
			p, _ := l.frrBFD("192.0.2.1")
			return p.Status == "up" && h.status("r1").State == bfd.Up
		})
	})

	t.Run("bfdd frozen: the speaker declares it down", func(t *testing.T) {
		n := h.eventCount()
		start := time.Now()
		_ = l.procs["bfdd"].Signal(sigstop)
		var down Event
		l.WaitFor(3*time.Second, "our session goes down", func() bool {
			for _, ev := range h.eventsSince(n) {
				if ev.Peer == "r1" && ev.To == bfd.Down {
					down = ev
					return true
				}
			}
			return false
		})
		_ = l.procs["bfdd"].Signal(sigcont)
		took := down.At.Sub(start)
		t.Logf("down after %v: %+v", took, down)
		if down.Diag != bfd.ControlDetectionTimeExpired || took > 400*ms || took < 150*ms {
			t.Errorf("down after %v with %v; want 200–300 ms after the freeze, detection time expired", took, down.Diag)
		}
		l.WaitFor(10*time.Second, "up again after SIGCONT", func() bool { return h.status("r1").State == bfd.Up })
	})
}
