package gobgp

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/osrg/gobgp/v3/pkg/packet/bgp"

	"github.com/bgplb/bgplb/speaker/router"
)

// TestDynamicASN: dynamicASN internal accepts only a router of our AS, external only
// one of another AS; a router that opens with the wrong kind of AS never reaches
// Established, and the session says why (LastError, Refused).
func TestDynamicASN(t *testing.T) {
	ctx := context.Background()
	const ours, theirs = 65000, 65001
	sameAS, otherAS := newTestRouter(t, "127.0.0.2", ours), newTestRouter(t, "127.0.0.3", theirs)
	sameAS2, otherAS2 := newTestRouter(t, "127.0.0.4", ours), newTestRouter(t, "127.0.0.5", theirs)
	for _, r := range []*testRouter{sameAS, otherAS, sameAS2, otherAS2} {
		r.expect(t, "127.0.0.1", ours, "", false)
	}
	s := newSpeaker(t, ours, discard())
	dyn := func(name string, r *testRouter, mode router.Dynamic) router.Peer {
		p := speakerPeer(name, r, 0)
		p.Dynamic = mode
		return p
	}
	peers := []router.Peer{
		dyn("internal-ok", sameAS, router.DynamicInternal),
		dyn("internal-refused", otherAS, router.DynamicInternal),
		dyn("external-ok", otherAS2, router.DynamicExternal),
		dyn("external-refused", sameAS2, router.DynamicExternal),
	}
	if err := s.SetPeers(ctx, peers); err != nil {
		t.Fatal(err)
	}
	for _, p := range peers {
		mustSet(t, s, p.Name, []router.Route{{Prefix: pfx("198.18.0.1/32")}})
	}
	byName := func() map[string]router.Session {
		ss, _ := s.Sessions(ctx)
		m := map[string]router.Session{}
		for _, x := range ss {
			m[x.Peer] = x
		}
		return m
	}
	eventually(t, 20*time.Second, "the right sessions up, the others refused", func() bool {
		m := byName()
		return m["internal-ok"].State == router.Established && m["external-ok"].State == router.Established &&
			m["internal-refused"].Refused == router.RefusedDynamicInternal && m["external-refused"].Refused == router.RefusedDynamicExternal
	})
	// The refused ones stay refused: watch them for a while.
	deadline := time.Now().Add(4 * time.Second)
	for time.Now().Before(deadline) {
		m := byName()
		for _, n := range []string{"internal-refused", "external-refused"} {
			if m[n].State == router.Established || otherAS.established(t, "127.0.0.1") || sameAS2.established(t, "127.0.0.1") {
				t.Fatalf("%s reached Established: %+v", n, m[n])
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	m := byName()
	if got := m["internal-refused"].LastError; !strings.Contains(got, "dynamicASN internal") || !strings.Contains(got, "65001") {
		t.Errorf("internal-refused LastError = %q", got)
	}
	if got := m["external-refused"].LastError; !strings.Contains(got, "dynamicASN external") || !strings.Contains(got, "65000") {
		t.Errorf("external-refused LastError = %q", got)
	}
	if !otherAS2.established(t, "127.0.0.1") || len(otherAS2.rib(t, "127.0.0.1")) != 1 {
		t.Errorf("the external router did not get the route")
	}
}

// TestBadPeerASParsesGoBGPsError keeps badPeerAS in step with the error GoBGP
// really produces when it refuses an OPEN.
func TestBadPeerASParsesGoBGPsError(t *testing.T) {
	open := bgp.NewBGPOpenMessage(65001, 90, "192.0.2.9", nil).Body.(*bgp.BGPOpen)
	_, err := bgp.ValidateOpenMsg(open, 65000, 65000, net.ParseIP("192.0.2.1"))
	if err == nil {
		t.Fatal("GoBGP accepted the OPEN")
	}
	exp, got, ok := badPeerAS(err)
	if !ok || exp != 65000 || got != 65001 {
		t.Fatalf("badPeerAS(%v) = %d, %d, %t", err, exp, got, ok)
	}
	if _, _, ok := badPeerAS(fmt.Errorf("other")); ok {
		t.Error("badPeerAS accepted an unrelated error")
	}
}
