package metrics

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bgplb/bgplb/config"
	"github.com/bgplb/bgplb/speaker/reconcile"
	"github.com/bgplb/bgplb/speaker/router"
	"github.com/bgplb/bgplb/speaker/routes"
)

// gather returns "name{labels}" -> value for every series in reg.
func gather(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			key := mf.GetName() + "{"
			for i, l := range m.GetLabel() {
				if i > 0 {
					key += ","
				}
				key += l.GetName() + "=" + l.GetValue()
			}
			key += "}"
			switch {
			case m.GetGauge() != nil:
				out[key] = m.GetGauge().GetValue()
			case m.GetCounter() != nil:
				out[key] = m.GetCounter().GetValue()
			}
		}
	}
	return out
}

func TestMetalLBNames(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := New(reg, "node-1")
	if err != nil {
		t.Fatal(err)
	}
	web, api := netip.MustParseAddr("192.0.2.10"), netip.MustParseAddr("192.0.2.11")
	web6 := netip.MustParseAddr("2001:db8::10")
	dec := func(svc string, ip netip.Addr) routes.Decision {
		return routes.Decision{Service: svc, IP: ip, Peer: "r", Announced: true}
	}
	m.Observe(reconcile.Report{
		ConfigValid: true, Config: &config.Config{},
		Peers:     []reconcile.PeerReport{{Name: "r", Applied: 3, Pending: 1, Updates: 4}},
		Decisions: []routes.Decision{dec("default/web", web), dec("default/web", web6), dec("default/api", api)},
		Announced: map[string]bool{"default/web": true, "default/api": true},
	})
	m.Session(router.SessionEvent{Peer: "r", State: router.Established})
	m.Observe(reconcile.Report{ // the latest configuration is invalid: the old one stays
		Config: &config.Config{}, Err: errors.New("apply failed"),
		Peers:     []reconcile.PeerReport{{Name: "r", Applied: 3, Updates: 2}},
		Decisions: []routes.Decision{dec("default/web", web), dec("default/web", web6), {Service: "default/api", IP: api, Peer: "r"}},
		Announced: map[string]bool{"default/web": true},
	})
	want := map[string]float64{
		"metallb_bgp_announced_prefixes_total{peer=r}":                                            3,
		"metallb_bgp_pending_prefixes_total{peer=r}":                                              0,
		"metallb_bgp_session_up{peer=r}":                                                          1,
		"metallb_bgp_updates_total{peer=r}":                                                       6,
		"metallb_speaker_announced{ip=192.0.2.10,node=node-1,protocol=bgp,service=default/web}":   1,
		"metallb_speaker_announced{ip=2001:db8::10,node=node-1,protocol=bgp,service=default/web}": 1,
		"metallb_k8s_client_updates_total{}":                                                      2,
		"metallb_k8s_client_update_errors_total{}":                                                1,
		"metallb_k8s_client_config_loaded_bool{}":                                                 1,
		"metallb_k8s_client_config_stale_bool{}":                                                  1,
	}
	got := gather(t, reg)
	if len(got) != len(want) {
		t.Errorf("series %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v (all: %v)", k, got[k], v, got)
		}
	}
	m.Observe(reconcile.Report{ConfigValid: true})
	if got := gather(t, reg); len(got) != 5 { // only the counters and the k8s_client gauges survive
		t.Fatalf("series of a peer no longer run or of a withdrawn Service remain: %v", got)
	}
	if got := gather(t, reg)["metallb_k8s_client_config_stale_bool{}"]; got != 0 {
		t.Errorf("stale after a valid configuration: %v", got)
	}
}

// A session event that comes before the first Observe (GoBGP reports the peer as
// soon as SetPeers adds it) must not leave a series labelled with the peer's name.
func TestSessionBeforeObserve(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := New(reg, "node-1")
	if err != nil {
		t.Fatal(err)
	}
	m.Session(router.SessionEvent{Peer: "r1", State: router.Established})
	cfg := &config.Config{Peers: []*config.Peer{{Name: "r1", Address: netip.MustParseAddr("192.0.2.1"), Port: 179}}}
	m.Observe(reconcile.Report{Config: cfg, Peers: []reconcile.PeerReport{{Name: "r1"}}})
	got := gather(t, reg)
	if v, ok := got["metallb_bgp_session_up{peer=192.0.2.1:179}"]; !ok || v != 1 {
		t.Errorf("session_up under the address = %v (present %v), want 1: %v", v, ok, got)
	}
	if _, ok := got["metallb_bgp_session_up{peer=r1}"]; ok {
		t.Errorf("a series labelled with the peer's name exists: %v", got)
	}
	m.Session(router.SessionEvent{Peer: "r1", State: router.Idle})
	if v := gather(t, reg)["metallb_bgp_session_up{peer=192.0.2.1:179}"]; v != 0 {
		t.Errorf("after Idle: session_up = %v, want 0", v)
	}
}

// A session whose router's OPEN is refused for its AS says so in session_refused,
// with the reason, until it is established.
func TestSessionRefused(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := New(reg, "node-1")
	if err != nil {
		t.Fatal(err)
	}
	cfg := &config.Config{Peers: []*config.Peer{{Name: "r1", Address: netip.MustParseAddr("192.0.2.1"), Port: 179}}}
	m.Observe(reconcile.Report{Config: cfg, Peers: []reconcile.PeerReport{{Name: "r1"}}})
	m.Session(router.SessionEvent{Peer: "r1", State: router.Active, Refused: router.RefusedDynamicInternal})
	got := gather(t, reg)
	if v := got["bgplb_bgp_session_refused{peer=192.0.2.1:179,reason=dynamicASN-internal}"]; v != 1 {
		t.Errorf("session_refused = %v, want 1: %v", v, got)
	}
	m.Session(router.SessionEvent{Peer: "r1", State: router.Established})
	for k := range gather(t, reg) {
		if strings.HasPrefix(k, "bgplb_bgp_session_refused") {
			t.Errorf("after Established: %s still present", k)
		}
	}
}
