package reconcile

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/bgplb/bgplb/speaker/router"
	"github.com/bgplb/bgplb/speaker/routes"
)

func TestReconcileAppliesSnapshotThenIsIdempotent(t *testing.T) {
	ctx := context.Background()
	r := newCounting()
	src := &source{snap: baseSnapshot()}
	l := newLoop(t, r, src)

	rep, err := l.Reconcile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.calls0(), []string{"SetPeers[router-a]", "SetRoutes(router-a,1)"}; !slices.Equal(got, want) {
		t.Fatalf("first pass calls = %v, want %v", got, want)
	}
	peers := r.Peers()
	if len(peers) != 1 || peers[0].Password != password || peers[0].ASN != 64512 || peers[0].MyASN != 64513 {
		t.Fatalf("peer handed to the router: %+v", peers)
	}
	rs := r.Routes("router-a")
	if len(rs) != 1 || rs[0].Prefix.String() != "198.18.0.10/32" || !slices.Equal(rs[0].Communities, []uint32{64512<<16 | 100}) {
		t.Fatalf("routes = %+v", rs)
	}
	if !slices.Equal(rep.NewlyAnnounced, []string{"default/web"}) || !rep.ConfigValid || rep.Calls != 2 {
		t.Fatalf("report: newly %v valid %v calls %d", rep.NewlyAnnounced, rep.ConfigValid, rep.Calls)
	}
	if len(rep.Peers) != 1 || rep.Peers[0].Applied != 1 || rep.Peers[0].Updates != 1 {
		t.Fatalf("peer report %+v", rep.Peers)
	}

	changes := r.Changes()
	rep, err = l.Reconcile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.calls0(); len(got) != 0 || rep.Calls != 0 || r.Changes() != changes {
		t.Fatalf("second pass on the same snapshot made calls %v (changes %d→%d)", got, changes, r.Changes())
	}
	if len(rep.NewlyAnnounced) != 0 || !rep.Announced["default/web"] {
		t.Fatalf("second pass: newly %v announced %v", rep.NewlyAnnounced, rep.Announced)
	}
}

func TestReconcileWithdrawsDeletedServiceOnly(t *testing.T) {
	ctx := context.Background()
	r := newCounting()
	src := &source{snap: baseSnapshot()}
	src.snap.Services = append(src.snap.Services, service("default/api", "198.18.0.11"))
	l := newLoop(t, r, src)
	if _, err := l.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	r.calls0()
	src.set(func(s *Snapshot) { s.Services = s.Services[1:] })
	if _, err := l.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	if got := r.calls0(); !slices.Equal(got, []string{"UpdateRoutes(router-a,+0,-1)"}) {
		t.Fatalf("calls = %v: a service delete must withdraw its route and touch nothing else", got)
	}
	if got := prefixes(r.Routes("router-a")); !slices.Equal(got, []string{"198.18.0.11/32"}) {
		t.Fatalf("routes = %v", got)
	}
}

func TestInvalidConfigKeepsLastGood(t *testing.T) {
	ctx := context.Background()
	r := newCounting()
	src := &source{snap: baseSnapshot()}
	l := newLoop(t, r, src)
	if _, err := l.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	r.calls0()
	// Break the configuration: a second peer on the same address with a bad ASN,
	// and the pool's only range replaced by garbage.
	src.set(func(s *Snapshot) {
		s.Resources.Pools[0].Spec.Addresses = []string{"not-a-cidr"}
		s.Services = append(s.Services, service("default/new", "198.18.0.12"))
	})
	rep, err := l.Reconcile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.ConfigValid || !rep.Findings.HasErrors() || rep.Config == nil {
		t.Fatalf("invalid config not reported with the last good one in force: valid %v findings %v", rep.ConfigValid, rep.Findings)
	}
	// The last good config still announces, new Services included.
	if got := prefixes(r.Routes("router-a")); !slices.Equal(got, []string{"198.18.0.10/32", "198.18.0.12/32"}) {
		t.Fatalf("routes under the last good config = %v", got)
	}
	if got := r.calls0(); !slices.Equal(got, []string{"UpdateRoutes(router-a,+1,-0)"}) {
		t.Fatalf("calls = %v", got)
	}
}

// A change the router failed to apply is repaired with the whole set: after a
// failure the loop no longer trusts its record of what the router holds.
func TestFailedUpdateIsRepairedWithTheWholeSet(t *testing.T) {
	ctx := context.Background()
	r := newCounting()
	src := &source{snap: baseSnapshot()}
	l := newLoop(t, r, src)
	if _, err := l.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	r.calls0()
	r.Fail = func(op, _ string) error {
		if op == "UpdateRoutes" {
			return errors.New("injected")
		}
		return nil
	}
	src.set(func(s *Snapshot) { s.Services = append(s.Services, service("default/new", "198.18.0.12")) })
	if _, err := l.Reconcile(ctx); err == nil {
		t.Fatal("a failed UpdateRoutes must fail the pass")
	}
	r.Fail = nil
	if _, err := l.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	if got := r.calls0(); !slices.Equal(got, []string{"UpdateRoutes(router-a,+1,-0)", "SetRoutes(router-a,2)"}) {
		t.Fatalf("calls = %v: the pass after a failure must hand over the whole set", got)
	}
	if got := prefixes(r.Routes("router-a")); !slices.Equal(got, []string{"198.18.0.10/32", "198.18.0.12/32"}) {
		t.Fatalf("routes = %v", got)
	}
}

func TestInvalidFirstConfigAnnouncesNothing(t *testing.T) {
	r := newCounting()
	src := &source{snap: baseSnapshot()}
	src.snap.Resources.Pools[0].Spec.Addresses = []string{"nope"}
	rep, err := newLoop(t, r, src).Reconcile(context.Background())
	if err != nil || rep.ConfigValid || rep.Config != nil || len(r.Peers()) != 0 || r.calls.Load() != 0 {
		t.Fatalf("err %v valid %v config %v peers %v calls %d", err, rep.ConfigValid, rep.Config, r.Peers(), r.calls.Load())
	}
}

func TestNoSnapshotKeepsRoutes(t *testing.T) {
	ctx := context.Background()
	r := newCounting()
	src := &source{snap: baseSnapshot()}
	l := newLoop(t, r, src)
	if _, err := l.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	r.calls0()
	src.set(func(*Snapshot) {})
	src.err = errors.New("apiserver unreachable")
	if _, err := l.Reconcile(ctx); err == nil || !strings.Contains(err.Error(), "keeping what is announced") {
		t.Fatalf("err = %v", err)
	}
	if got := r.calls0(); len(got) != 0 {
		t.Fatalf("API loss made router calls %v", got)
	}
	if got := prefixes(r.Routes("router-a")); !slices.Equal(got, []string{"198.18.0.10/32"}) {
		t.Fatalf("routes after API loss = %v", got)
	}
	if closed, _ := r.Closed(); closed {
		t.Fatal("router closed on API loss")
	}
}

func TestFailedApplyIsRetriedWithFullState(t *testing.T) {
	ctx := context.Background()
	r := newCounting()
	fail := true
	r.Fail = func(op, peer string) error {
		if op == "SetRoutes" && fail {
			return &router.PartialError{Peer: peer, Applied: 0, Pending: 1, Err: errors.New("boom")}
		}
		return nil
	}
	src := &source{snap: baseSnapshot()}
	l := newLoop(t, r, src)
	rep, err := l.Reconcile(ctx)
	if err == nil || rep.Peers[0].Error == "" || rep.Peers[0].Pending != 1 || len(rep.NewlyAnnounced) != 0 {
		t.Fatalf("failed apply: err %v report %+v newly %v", err, rep.Peers, rep.NewlyAnnounced)
	}
	fail = false
	r.calls0()
	rep, err = l.Reconcile(ctx)
	if err != nil || !slices.Equal(r.calls0(), []string{"SetRoutes(router-a,1)"}) {
		t.Fatalf("retry: err %v", err)
	}
	if !slices.Equal(rep.NewlyAnnounced, []string{"default/web"}) || rep.Peers[0].Error != "" {
		t.Fatalf("retry report: %+v newly %v", rep.Peers, rep.NewlyAnnounced)
	}
	if _, err := l.Reconcile(ctx); err != nil || len(r.calls0()) != 0 {
		t.Fatalf("third pass not a no-op: %v", err)
	}
}

func TestFailedSetPeersIsRetried(t *testing.T) {
	ctx := context.Background()
	r := newCounting()
	fail := true
	r.Fail = func(op, _ string) error {
		if op == "SetPeers" && fail {
			return errors.New("down")
		}
		return nil
	}
	l := newLoop(t, r, &source{snap: baseSnapshot()})
	if _, err := l.Reconcile(ctx); err == nil {
		t.Fatal("want error")
	}
	fail = false
	r.calls0()
	if _, err := l.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	if got := r.calls0(); !slices.Equal(got, []string{"SetPeers[router-a]", "SetRoutes(router-a,1)"}) {
		t.Fatalf("calls = %v", got)
	}
}

func TestPeerRemovedAndUnsupportedPeers(t *testing.T) {
	ctx := context.Background()
	r := newCounting()
	src := &source{snap: baseSnapshot()}
	src.snap.Resources.Peers = append(src.snap.Resources.Peers, peer("router-b", "192.0.2.2", false))
	l := newLoop(t, r, src)
	if _, err := l.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	r.calls0()
	src.set(func(s *Snapshot) {
		s.Resources.Peers = s.Resources.Peers[1:]
		vrf := peer("router-v", "192.0.2.3", false)
		vrf.Spec.VRFName = "red"
		s.Resources.Peers = append(s.Resources.Peers, vrf)
	})
	rep, err := l.Reconcile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.calls0(); !slices.Equal(got, []string{"SetPeers[router-b]"}) {
		t.Fatalf("calls = %v", got)
	}
	if len(rep.Peers) != 2 || rep.Peers[1].Name != "router-v" || !strings.Contains(rep.Peers[1].Error, "vrf") {
		t.Fatalf("unsupported peer not reported: %+v", rep.Peers)
	}
}

func TestShutdown(t *testing.T) {
	for _, tc := range []struct {
		name      string
		gr        []bool
		wantCalls []string
		wantPeers []string // left configured before Close
		graceful  bool
	}{
		{"no graceful restart", []bool{false, false}, []string{"Close(false)"}, []string{"router-a", "router-b"}, false},
		{"all graceful restart", []bool{true, true}, []string{"Close(true)"}, []string{"router-a", "router-b"}, true},
		{"mixed", []bool{true, false}, []string{"SetPeers[router-a]", "Close(true)"}, []string{"router-a"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newCounting()
			src := &source{snap: baseSnapshot()}
			src.snap.Resources.Peers = []v1beta2BGPPeer{peer("router-a", "192.0.2.1", tc.gr[0]), peer("router-b", "192.0.2.2", tc.gr[1])}
			l := newLoop(t, r, src)
			if _, err := l.Reconcile(context.Background()); err != nil {
				t.Fatal(err)
			}
			r.calls0()
			if err := l.Shutdown(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := r.calls0(); !slices.Equal(got, tc.wantCalls) {
				t.Fatalf("calls = %v, want %v", got, tc.wantCalls)
			}
			var names []string
			for _, p := range r.Peers() {
				names = append(names, p.Name)
			}
			closed, graceful := r.Closed()
			if !closed || graceful != tc.graceful || !slices.Equal(names, tc.wantPeers) {
				t.Fatalf("closed %v graceful %v peers %v", closed, graceful, names)
			}
			if !tc.graceful && len(r.Routes("router-a")) != 0 {
				t.Fatal("non-graceful close left routes")
			}
			if _, err := l.Reconcile(context.Background()); !errors.Is(err, ErrClosed) {
				t.Fatalf("reconcile after shutdown: %v", err)
			}
		})
	}
}

func TestPasswordNeverLogged(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r := newCounting()
	src := &source{snap: baseSnapshot()}
	var reports []Report
	l := newLoop(t, r, src, func(o *Options) {
		o.Logger = log
		o.Observer = func(rep Report) { reports = append(reports, rep) }
	})
	ctx := context.Background()
	l.Reconcile(ctx)
	src.set(func(s *Snapshot) { s.Resources.Peers[0].Spec.Password = password + "-2" }) // a reset-worthy change
	l.Reconcile(ctx)
	src.set(func(s *Snapshot) { s.Resources.Pools[0].Spec.Addresses = []string{"bad"} })
	l.Reconcile(ctx)
	l.Shutdown(ctx)
	var dump bytes.Buffer
	for _, rep := range reports {
		dump.WriteString(strings.ReplaceAll(strings.ReplaceAll(fmtReport(rep), "\n", " "), "\t", " "))
	}
	if strings.Contains(buf.String(), password) || strings.Contains(dump.String(), password) {
		t.Fatalf("password leaked:\nlogs: %s\nreports: %s", buf.String(), dump.String())
	}
	last := reports[len(reports)-1]
	if got := last.Redact("x " + password + "-2 y"); got != "x [redacted] y" {
		t.Fatalf("Redact = %q", got)
	}
	if !strings.Contains(buf.String(), "password") {
		t.Fatalf("the password change was not logged by field name: %s", buf.String())
	}
}

// keep the routes import used by helpers in this file's table.
var _ = routes.ReasonAnnounced
