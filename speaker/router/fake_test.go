package router_test

import (
	"context"
	"errors"
	"net/netip"
	"testing"

	"github.com/bgplb/bgplb/speaker/router"
)

func TestFakeCountsOnlyRealChanges(t *testing.T) {
	ctx := context.Background()
	f := router.NewFake()
	if err := f.SetPeers(ctx, []router.Peer{{Name: "r1", Address: netip.MustParseAddr("192.0.2.1")}}); err != nil {
		t.Fatal(err)
	}
	routes := []router.Route{
		{Prefix: netip.MustParsePrefix("198.18.0.1/32"), Communities: []uint32{65000<<16 | 1}},
		{Prefix: netip.MustParsePrefix("198.18.0.2/32"), LocalPref: 200},
	}
	if err := f.SetRoutes(ctx, "r1", routes); err != nil {
		t.Fatal(err)
	}
	if got := f.Changes(); got != 2 {
		t.Fatalf("first SetRoutes: %d changes, want 2", got)
	}
	if err := f.SetRoutes(ctx, "r1", routes); err != nil {
		t.Fatal(err)
	}
	if got := f.Changes(); got != 2 {
		t.Fatalf("identical SetRoutes made %d more changes, want 0", got-2)
	}
	routes[1].LocalPref = 100
	if err := f.SetRoutes(ctx, "r1", routes[1:]); err != nil {
		t.Fatal(err)
	}
	if got := f.Changes(); got != 4 { // one withdraw, one replace
		t.Fatalf("withdraw+replace: %d changes in total, want 4", got)
	}
	if got := f.Routes("r1"); len(got) != 1 || got[0].LocalPref != 100 {
		t.Fatalf("routes = %+v", got)
	}
	if err := f.SetRoutes(ctx, "nope", nil); !errors.Is(err, router.ErrUnknownPeer) {
		t.Fatalf("unknown peer: err = %v", err)
	}
	if err := f.SetPeers(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if got := f.Routes("r1"); len(got) != 0 {
		t.Fatalf("removed peer still has routes %+v", got)
	}
}

func TestFakeWatchAndSessions(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := router.NewFake()
	var got []router.SessionEvent
	if err := f.Watch(ctx, func(ev router.SessionEvent) { got = append(got, ev) }); err != nil {
		t.Fatal(err)
	}
	_ = f.SetPeers(ctx, []router.Peer{{Name: "r1"}, {Name: "r2"}})
	if err := f.SetSession("r1", router.Established, ""); err != nil {
		t.Fatal(err)
	}
	if err := f.ResetPeer(ctx, "r1", true); err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 || got[2].State != router.Established || got[3].State != router.Idle {
		t.Fatalf("events = %+v", got)
	}
	ss, _ := f.Sessions(ctx)
	if len(ss) != 2 || ss[0].Peer != "r1" || ss[0].State != router.Idle || ss[1].State != router.Active {
		t.Fatalf("sessions = %+v", ss)
	}
	if r := f.Resets(); len(r) != 1 || r[0] != "r1 hard=true" {
		t.Fatalf("resets = %v", r)
	}
	f.Fail = func(op, peer string) error { return errors.New("boom") }
	if err := f.Close(ctx, true); err == nil {
		t.Fatal("Fail hook ignored")
	}
	f.Fail = nil
	_ = f.Close(ctx, true)
	if closed, graceful := f.Closed(); !closed || !graceful {
		t.Fatalf("Closed() = %v, %v", closed, graceful)
	}
}

func TestFamiliesOf(t *testing.T) {
	if got := router.FamiliesOf(router.Peer{Address: netip.MustParseAddr("2001:db8::1")}); got != router.IPv6 {
		t.Errorf("v6 peer default = %v", got)
	}
	if got := router.FamiliesOf(router.Peer{Address: netip.MustParseAddr("192.0.2.1")}); got != router.IPv4 {
		t.Errorf("v4 peer default = %v", got)
	}
	if got := router.FamiliesOf(router.Peer{Families: router.DualStack}); got != router.DualStack {
		t.Errorf("explicit = %v", got)
	}
}
