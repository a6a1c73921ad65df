package bfdio

import (
	"context"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/bgplb/bgplb/speaker/bfd"
	"github.com/bgplb/bgplb/speaker/router"
)

func peerNames(ps []router.Peer) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

func TestGateHoldsAndReleases(t *testing.T) {
	ctx := context.Background()
	f := router.NewFake()
	g := NewGate(f, nil)
	peers := []router.Peer{{Name: "a", Address: s4("192.0.2.2")}, {Name: "b", Address: s4("192.0.2.6")}}
	rt := []router.Route{{Prefix: netip.MustParsePrefix("198.18.0.1/32")}}
	if err := g.SetPeers(ctx, peers); err != nil {
		t.Fatal(err)
	}
	for _, p := range peers {
		if err := g.SetRoutes(ctx, p.Name, rt); err != nil {
			t.Fatal(err)
		}
	}
	down := Event{Peer: "a", From: bfd.Up, To: bfd.Down, Diag: bfd.ControlDetectionTimeExpired, RemoteState: bfd.Down}
	g.Handle(ctx, down)
	if got := peerNames(f.Peers()); len(got) != 1 || got[0] != "b" || !g.Held("a") {
		t.Fatalf("after BFD down the router runs %v; want only b", got)
	}
	ss, _ := g.Sessions(ctx)
	if len(ss) != 2 || ss[0].Peer != "a" || ss[0].LastError != HeldError || ss[0].State != router.Idle {
		t.Errorf("sessions %+v; want a Idle with HeldError", ss)
	}
	// The reconcile loop keeps going: its calls for a held peer are kept, not applied.
	rt2 := append(rt, router.Route{Prefix: netip.MustParsePrefix("198.18.0.2/32")})
	if err := g.SetPeers(ctx, peers); err != nil {
		t.Fatal(err)
	}
	if err := g.SetRoutes(ctx, "a", rt2); err != nil {
		t.Fatal(err)
	}
	if got := peerNames(f.Peers()); len(got) != 1 {
		t.Fatalf("SetPeers while held brought a back: %v", got)
	}
	g.Handle(ctx, Event{Peer: "a", From: bfd.Init, To: bfd.Up})
	if got := peerNames(f.Peers()); len(got) != 2 || g.Held("a") {
		t.Fatalf("after BFD up the router runs %v", got)
	}
	if got := f.Routes("a"); len(got) != 2 {
		t.Errorf("a's routes after release: %v; want the 2 last desired", got)
	}
}

func TestGateIgnoresRemoteAdminDownAndInit(t *testing.T) {
	ctx := context.Background()
	f := router.NewFake()
	g := NewGate(f, nil)
	_ = g.SetPeers(ctx, []router.Peer{{Name: "a", Address: s4("192.0.2.2")}})
	g.Handle(ctx, Event{Peer: "a", From: bfd.Up, To: bfd.Down, Diag: bfd.NeighborSignaledSessionDown, RemoteState: bfd.AdminDown})
	g.Handle(ctx, Event{Peer: "a", From: bfd.Init, To: bfd.Down, Diag: bfd.ControlDetectionTimeExpired})
	if g.Held("a") || len(f.Peers()) != 1 {
		t.Fatal("held on the router's AdminDown or on a session that never was Up")
	}
	g.Handle(ctx, Event{Peer: "a", From: bfd.Up, To: bfd.Down, Diag: bfd.NeighborSignaledSessionDown, RemoteState: bfd.Down})
	if !g.Held("a") {
		t.Fatal("router signalled Down: not held")
	}
	if err := g.Keep(ctx, nil); err != nil || g.Held("a") || len(f.Peers()) != 1 {
		t.Fatalf("profile removed: still held (%v)", err)
	}
}

// A hold is reported to watchers (metrics, status) as an Idle session: the inner
// router says nothing about a peer it was told to forget.
func TestGateReportsHold(t *testing.T) {
	ctx := context.Background()
	g := NewGate(router.NewFake(), nil)
	var got []router.SessionEvent
	if err := g.Watch(ctx, func(ev router.SessionEvent) { got = append(got, ev) }); err != nil {
		t.Fatal(err)
	}
	_ = g.SetPeers(ctx, []router.Peer{{Name: "a", Address: s4("192.0.2.2")}})
	got = nil
	g.Handle(ctx, Event{Peer: "a", From: bfd.Up, To: bfd.Down, Diag: bfd.ControlDetectionTimeExpired, RemoteState: bfd.Down})
	if len(got) != 1 || got[0].Peer != "a" || got[0].State != router.Idle || got[0].LastError != HeldError {
		t.Fatalf("events on hold: %+v; want one Idle event for a with HeldError", got)
	}
}

// A hold ends by itself after the limit (a router that runs BFD only while BGP
// connects would otherwise never come back); a newer hold is not cut short by an
// older one's timer.
func TestGateHoldLimit(t *testing.T) {
	ctx := context.Background()
	f := router.NewFake()
	g := NewGate(f, nil)
	g.SetHoldLimit(50 * time.Millisecond)
	_ = g.SetPeers(ctx, []router.Peer{{Name: "a", Address: s4("192.0.2.2")}})
	down := Event{Peer: "a", From: bfd.Up, To: bfd.Down, Diag: bfd.ControlDetectionTimeExpired, RemoteState: bfd.Down}
	g.Handle(ctx, down)
	if !g.Held("a") {
		t.Fatal("not held after BFD down")
	}
	deadline := time.Now().Add(2 * time.Second)
	for g.Held("a") && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if g.Held("a") || len(f.Peers()) != 1 {
		t.Fatalf("still held after the limit (router runs %v)", peerNames(f.Peers()))
	}

	g.SetHoldLimit(0) // until BFD is Up
	g.Handle(ctx, Event{Peer: "a", From: bfd.Init, To: bfd.Up})
	g.Handle(ctx, down)
	time.Sleep(100 * time.Millisecond)
	if !g.Held("a") {
		t.Fatal("a hold without a limit ended by itself")
	}
}

// Changes for a held peer are recorded and reach the router, whole, at release;
// changes for a running peer pass straight through as changes.
func TestGateUpdateRoutesWhileHeld(t *testing.T) {
	ctx := context.Background()
	f := router.NewFake()
	g := NewGate(f, nil)
	pfx := netip.MustParsePrefix
	if err := g.SetPeers(ctx, []router.Peer{{Name: "a", Address: s4("192.0.2.2")}}); err != nil {
		t.Fatal(err)
	}
	if err := g.SetRoutes(ctx, "a", []router.Route{{Prefix: pfx("198.18.0.1/32")}, {Prefix: pfx("198.18.0.2/32")}}); err != nil {
		t.Fatal(err)
	}
	if err := g.UpdateRoutes(ctx, "a", []router.Route{{Prefix: pfx("198.18.0.3/32")}}, nil); err != nil {
		t.Fatal(err)
	}
	if f.Updates() != 1 || len(f.Routes("a")) != 3 {
		t.Fatalf("a running peer's change: %d updates, routes %v", f.Updates(), f.Routes("a"))
	}
	g.Handle(ctx, Event{Peer: "a", From: bfd.Up, To: bfd.Down, Diag: bfd.ControlDetectionTimeExpired, RemoteState: bfd.Down})
	if err := g.UpdateRoutes(ctx, "a", []router.Route{{Prefix: pfx("198.18.0.4/32")}}, []netip.Prefix{pfx("198.18.0.1/32")}); err != nil {
		t.Fatal(err)
	}
	if f.Updates() != 1 {
		t.Fatalf("a held peer's change reached the router")
	}
	g.Handle(ctx, Event{Peer: "a", From: bfd.Init, To: bfd.Up})
	var got []string
	for _, r := range f.Routes("a") {
		got = append(got, r.Prefix.String())
	}
	if want := []string{"198.18.0.2/32", "198.18.0.3/32", "198.18.0.4/32"}; !slices.Equal(got, want) {
		t.Errorf("a's routes after release: %v; want %v", got, want)
	}
}
