// Go 1.24+ listens with MPTCP by default; MPTCP sockets refuse TCP_MD5SIG
// (ENOPROTOOPT), so the in-process test routers (GoBGP listeners) need plain TCP.
// A speaker binary that enables a listener needs the same directive in its main.

//go:debug multipathtcp=0

package gobgp

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bgplb/bgplb/speaker/router"
)

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

func newSpeaker(t *testing.T, asn uint32, logger *slog.Logger) *Server {
	t.Helper()
	s, err := New(context.Background(), Config{ASN: asn, RouterID: addr("127.0.0.1"), Logger: logger, MD5HintAfter: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background(), false) })
	return s
}

func speakerPeer(name string, r *testRouter, asn uint32) router.Peer {
	return router.Peer{Name: name, Address: addr(r.addr), Port: portOf(r), ASN: asn,
		SourceAddress: addr("127.0.0.1"), HoldTime: 9 * time.Second, ConnectTime: time.Second}
}

func mustSet(t *testing.T, s *Server, peer string, routes []router.Route) {
	t.Helper()
	if err := s.SetRoutes(context.Background(), peer, routes); err != nil {
		t.Fatal(err)
	}
}

// The guide's primary/backup: the same prefix goes to an iBGP router with
// LOCAL_PREF 200 and one community, and to an eBGP router with another community
// and a large community (and no LOCAL_PREF: it never crosses an AS border).
func TestPerPeerAttributesArriveAsDesired(t *testing.T) {
	ctx := context.Background()
	r1, r2 := newTestRouter(t, "127.0.0.2", 65000), newTestRouter(t, "127.0.0.3", 65001)
	r1.expect(t, "127.0.0.1", 65000, "", false)
	r2.expect(t, "127.0.0.1", 65000, "", false)
	s := newSpeaker(t, 65000, discard())
	if err := s.SetPeers(ctx, []router.Peer{speakerPeer("r1", r1, 65000), speakerPeer("r2", r2, 65001)}); err != nil {
		t.Fatal(err)
	}
	vip := pfx("198.18.0.1/32")
	mustSet(t, s, "r1", []router.Route{{Prefix: vip, Communities: []uint32{comm(65000, 100)}, LocalPref: 200}})
	mustSet(t, s, "r2", []router.Route{{Prefix: vip, Communities: []uint32{comm(65000, 200)}, LargeCommunities: [][3]uint32{{65000, 1, 2}}}})
	eventually(t, 10*time.Second, "both routers have 198.18.0.1/32", func() bool {
		return len(r1.rib(t, "127.0.0.1")) == 1 && len(r2.rib(t, "127.0.0.1")) == 1
	})
	g1, g2 := r1.rib(t, "127.0.0.1")["198.18.0.1/32"], r2.rib(t, "127.0.0.1")["198.18.0.1/32"]
	if g1.NextHop != "127.0.0.1" || !slices.Equal(g1.Comms, []uint32{comm(65000, 100)}) || g1.LocalPref != 200 || g1.Large != nil {
		t.Errorf("iBGP router got %+v", g1)
	}
	if g2.NextHop != "127.0.0.1" || !slices.Equal(g2.Comms, []uint32{comm(65000, 200)}) || g2.LocalPref != 0 ||
		!slices.Equal(g2.Large, [][3]uint32{{65000, 1, 2}}) {
		t.Errorf("eBGP router got %+v", g2)
	}
	ss, _ := s.Sessions(ctx)
	if len(ss) != 2 || ss[0].State != router.Established || ss[0].PrefixesSent != 1 || ss[1].PrefixesSent != 1 {
		t.Errorf("sessions = %+v", ss)
	}
}

// Applying the same routes again sends nothing; withdrawing a route from one peer
// withdraws it there only and sends the other peer nothing either.
func TestSetRoutesIdempotentAndWithdrawsPerPeer(t *testing.T) {
	ctx := context.Background()
	r1, r2 := newTestRouter(t, "127.0.0.2", 65001), newTestRouter(t, "127.0.0.3", 65001)
	r1.expect(t, "127.0.0.1", 65000, "", false)
	r2.expect(t, "127.0.0.1", 65000, "", false)
	s := newSpeaker(t, 65000, discard())
	if err := s.SetPeers(ctx, []router.Peer{speakerPeer("r1", r1, 65001), speakerPeer("r2", r2, 65001)}); err != nil {
		t.Fatal(err)
	}
	routes := []router.Route{{Prefix: pfx("198.18.0.1/32")}, {Prefix: pfx("198.18.0.2/32")}, {Prefix: pfx("198.18.0.3/32")}}
	mustSet(t, s, "r1", routes)
	mustSet(t, s, "r2", routes)
	eventually(t, 10*time.Second, "3 routes at each router", func() bool {
		return len(r1.rib(t, "127.0.0.1")) == 3 && len(r2.rib(t, "127.0.0.1")) == 3
	})
	time.Sleep(500 * time.Millisecond) // let End-of-RIB and any stragglers arrive
	u1, u2 := r1.updates(t, "127.0.0.1"), r2.updates(t, "127.0.0.1")
	mustSet(t, s, "r1", routes)
	mustSet(t, s, "r2", slices.Clone(routes))
	time.Sleep(time.Second)
	if a, b := r1.updates(t, "127.0.0.1"), r2.updates(t, "127.0.0.1"); a != u1 || b != u2 {
		t.Fatalf("identical SetRoutes sent UPDATEs: r1 %d→%d, r2 %d→%d", u1, a, u2, b)
	}
	mustSet(t, s, "r1", routes[1:])
	eventually(t, 5*time.Second, "198.18.0.1/32 withdrawn from r1", func() bool {
		_, ok := r1.rib(t, "127.0.0.1")["198.18.0.1/32"]
		return !ok
	})
	time.Sleep(500 * time.Millisecond)
	if got := r1.updates(t, "127.0.0.1") - u1; got != 1 {
		t.Errorf("r1 got %d UPDATEs for one withdraw, want 1", got)
	}
	if b := r2.updates(t, "127.0.0.1"); b != u2 || len(r2.rib(t, "127.0.0.1")) != 3 {
		t.Errorf("r2 affected by r1's withdraw: updates %d→%d, rib %v", u2, b, r2.rib(t, "127.0.0.1"))
	}
	// Changing one route's attributes is one UPDATE (an implicit replace, no withdraw).
	mustSet(t, s, "r1", []router.Route{{Prefix: pfx("198.18.0.2/32"), Communities: []uint32{comm(65000, 7)}}, routes[2]})
	eventually(t, 5*time.Second, "198.18.0.2/32 has the new community at r1", func() bool {
		return slices.Equal(r1.rib(t, "127.0.0.1")["198.18.0.2/32"].Comms, []uint32{comm(65000, 7)})
	})
	if err := s.SetRoutes(ctx, "nope", nil); !errors.Is(err, router.ErrUnknownPeer) {
		t.Errorf("unknown peer: %v", err)
	}
}

// GoBGP's DeletePath with no path deletes every route; our only caller refuses.
func TestEmptyDeletePathIsRefused(t *testing.T) {
	ctx := context.Background()
	r1 := newTestRouter(t, "127.0.0.2", 65001)
	r1.expect(t, "127.0.0.1", 65000, "", false)
	s := newSpeaker(t, 65000, discard())
	if err := s.SetPeers(ctx, []router.Peer{speakerPeer("r1", r1, 65001)}); err != nil {
		t.Fatal(err)
	}
	mustSet(t, s, "r1", []router.Route{{Prefix: pfx("198.18.0.1/32")}})
	eventually(t, 10*time.Second, "route at r1", func() bool { return len(r1.rib(t, "127.0.0.1")) == 1 })
	vrf := s.peers["r1"].vrf
	if err := s.deletePath(ctx, vrf, nil); !errors.Is(err, errEmptyDelete) {
		t.Errorf("nil path: err = %v", err)
	}
	if err := s.deletePath(ctx, "", nil); !errors.Is(err, errEmptyDelete) {
		t.Errorf("no vrf: err = %v", err)
	}
	time.Sleep(500 * time.Millisecond)
	if len(r1.rib(t, "127.0.0.1")) != 1 {
		t.Fatal("route gone after a refused empty delete")
	}
}

// Timer changes are applied without a session reset; a password change resets.
func TestPeerChangesResetOnlyWhenNeeded(t *testing.T) {
	ctx := context.Background()
	r1 := newTestRouter(t, "127.0.0.2", 65001)
	r1.expect(t, "127.0.0.1", 65000, "", false)
	s := newSpeaker(t, 65000, discard())
	var mu sync.Mutex
	var events []router.SessionEvent
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	_ = s.Watch(wctx, func(ev router.SessionEvent) { mu.Lock(); events = append(events, ev); mu.Unlock() })
	p := speakerPeer("r1", r1, 65001)
	if err := s.SetPeers(ctx, []router.Peer{p}); err != nil {
		t.Fatal(err)
	}
	mustSet(t, s, "r1", nil)
	eventually(t, 10*time.Second, "established", func() bool { return r1.established(t, "127.0.0.1") })
	up := r1.peer(t, "127.0.0.1").GetTimers().GetState().GetUptime().AsTime()
	p.HoldTime, p.KeepaliveTime, p.ConnectTime, p.EBGPMultiHop = 30*time.Second, 10*time.Second, 3*time.Second, true
	if err := s.SetPeers(ctx, []router.Peer{p}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	if !r1.established(t, "127.0.0.1") || !r1.peer(t, "127.0.0.1").GetTimers().GetState().GetUptime().AsTime().Equal(up) {
		t.Fatal("a timer/multihop change reset the session")
	}
	mu.Lock()
	n := len(events)
	mu.Unlock()
	p.Password = "s3cret"
	if err := s.SetPeers(ctx, []router.Peer{p}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "a password change resets the session", func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, ev := range events[n:] {
			if ev.State != router.Established {
				return true
			}
		}
		return false
	})
}

// A password the router does not have: TCP connects are silently dropped, the
// session never establishes, and LastError says why; the password is never logged.
func TestMD5MismatchIsReportedAndPasswordNeverLogged(t *testing.T) {
	ctx := context.Background()
	r1 := newTestRouter(t, "127.0.0.2", 65001)
	r1.expect(t, "127.0.0.1", 65000, "right-password", false)
	var buf bytes.Buffer
	var bufMu sync.Mutex
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: &buf, mu: &bufMu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := newSpeaker(t, 65000, logger)
	p := speakerPeer("r1", r1, 65001)
	p.Password = "wrong-password"
	if err := s.SetPeers(ctx, []router.Peer{p}); err != nil {
		t.Fatal(err)
	}
	mustSet(t, s, "r1", []router.Route{{Prefix: pfx("198.18.0.1/32")}})
	eventually(t, 10*time.Second, "LastError names an MD5 mismatch", func() bool {
		ss, _ := s.Sessions(ctx)
		return len(ss) == 1 && ss[0].LastError == MD5Hint && ss[0].State != router.Established
	})
	if r1.established(t, "127.0.0.1") {
		t.Fatal("established with a wrong password")
	}
	// The right password establishes.
	p.Password = "right-password"
	if err := s.SetPeers(ctx, []router.Peer{p}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "established with the right password", func() bool { return r1.established(t, "127.0.0.1") })
	ss, _ := s.Sessions(ctx)
	if ss[0].LastError != "" {
		t.Errorf("LastError after establishing = %q", ss[0].LastError)
	}
	bufMu.Lock()
	defer bufMu.Unlock()
	if buf.Len() == 0 {
		t.Fatal("no GoBGP log captured: the redaction check would prove nothing")
	}
	for _, pw := range []string{"wrong-password", "right-password"} {
		if strings.Contains(buf.String(), pw) {
			t.Errorf("password %q appears in the logs", pw)
		}
	}
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.String()
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Close(false) withdraws at once (the router drops our routes on the Cease);
// Close(true) leaves a graceful-restart router holding them as stale.
func TestCloseWithdrawsOrKeeps(t *testing.T) {
	ctx := context.Background()
	for _, graceful := range []bool{false, true} {
		r1 := newTestRouter(t, "127.0.0.2", 65001)
		r1.expect(t, "127.0.0.1", 65000, "", true)
		s, err := New(ctx, Config{ASN: 65000, RouterID: addr("127.0.0.1"), Logger: discard()})
		if err != nil {
			t.Fatal(err)
		}
		p := speakerPeer("r1", r1, 65001)
		p.GracefulRestart = true
		if err := s.SetPeers(ctx, []router.Peer{p}); err != nil {
			t.Fatal(err)
		}
		mustSet(t, s, "r1", []router.Route{{Prefix: pfx("198.18.0.1/32")}})
		eventually(t, 10*time.Second, "route at r1", func() bool { return len(r1.rib(t, "127.0.0.1")) == 1 })
		if err := s.Close(ctx, graceful); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		rib := r1.rib(t, "127.0.0.1")
		if graceful && (len(rib) != 1 || !rib["198.18.0.1/32"].Stale) {
			t.Errorf("Close(true): router has %+v, want the route kept as stale", rib)
		}
		if !graceful && len(rib) != 0 {
			t.Errorf("Close(false): router still has %+v", rib)
		}
		r1.s.Stop()
	}
}
