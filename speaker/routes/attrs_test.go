package routes

import (
	"slices"
	"strconv"
	"testing"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
	"github.com/bgplb/bgplb/config"
)

func community(name string, kv ...string) v1beta1.Community {
	c := v1beta1.Community{ObjectMeta: meta(name)}
	for i := 0; i+1 < len(kv); i += 2 {
		c.Spec.Communities = append(c.Spec.Communities, v1beta1.CommunityAlias{Name: kv[i], Value: kv[i+1]})
	}
	return c
}

// primaryBackup is the guide's primary/backup setup: one pool advertised twice, to
// two different routers, with different communities and LOCAL_PREF.
func primaryBackup(backupASN uint32) config.Resources {
	return config.Resources{
		Pools: []v1beta1.IPAddressPool{pool("production-pool", "198.51.100.0/24")},
		Peers: []v1beta2.BGPPeer{
			peer("router-primary", 64512, 64512, "192.0.2.1"),
			peer("router-backup", 64512, backupASN, "192.0.2.2"),
		},
		Communities: []v1beta1.Community{community("communities", "primary", "64512:100", "backup", "large:64512:200:1")},
		BGPAdvertisements: []v1beta1.BGPAdvertisement{
			adv("primary", v1beta1.BGPAdvertisementSpec{IPAddressPools: []string{"production-pool"},
				Peers: []string{"router-primary"}, LocalPref: 200, Communities: []string{"primary"}}),
			adv("backup", v1beta1.BGPAdvertisementSpec{IPAddressPools: []string{"production-pool"},
				Peers: []string{"router-backup"}, LocalPref: 100, Communities: []string{"backup", "no-export"}}),
		},
	}
}

func desiredRoutes(t *testing.T, r config.Resources, svcs ...Service) map[string][]string {
	t.Helper()
	res := Desired(mustConfig(t, r), baseNode(), svcs, Options{})
	out := map[string][]string{}
	for name, p := range res.State.Peers {
		out[name] = routeKeys(p.Routes)
	}
	return out
}

func checkRoutes(t *testing.T, got, want map[string][]string) {
	t.Helper()
	for name := range want {
		if !slices.Equal(got[name], want[name]) {
			t.Errorf("routes to %s:\n got  %q\n want %q", name, got[name], want[name])
		}
	}
	if len(got) != len(want) {
		t.Errorf("peers %v, want %v", got, want)
	}
}

func TestPrimaryBackupPerPeerAttributes(t *testing.T) {
	got := desiredRoutes(t, primaryBackup(64512), baseService())
	checkRoutes(t, got, map[string][]string{
		"router-primary": {"198.51.100.10/32 lp=200 c=[64512:100]"},
		"router-backup":  {"198.51.100.10/32 lp=100 c=[65535:65281 large:64512:200:1]"},
	})
}

func TestPrimaryBackupEBGPGetsNoLocalPref(t *testing.T) {
	got := desiredRoutes(t, primaryBackup(64600), baseService())
	checkRoutes(t, got, map[string][]string{
		"router-primary": {"198.51.100.10/32 lp=200 c=[64512:100]"},
		"router-backup":  {"198.51.100.10/32 lp=0 c=[65535:65281 large:64512:200:1]"},
	})
}

func TestDynamicInternalPeerGetsLocalPref(t *testing.T) {
	r := primaryBackup(64600)
	r.Peers[0].Spec.ASN, r.Peers[0].Spec.DynamicASN = 0, v1beta2.InternalASNMode
	r.Peers[1].Spec.ASN, r.Peers[1].Spec.DynamicASN = 0, v1beta2.ExternalASNMode
	got := desiredRoutes(t, r, baseService())
	checkRoutes(t, got, map[string][]string{
		"router-primary": {"198.51.100.10/32 lp=200 c=[64512:100]"},
		"router-backup":  {"198.51.100.10/32 lp=0 c=[65535:65281 large:64512:200:1]"},
	})
}

func TestCommunityUnion(t *testing.T) {
	r := baseResources()
	r.Peers[0].Spec.ASN = 64513 // iBGP
	r.BGPAdvertisements = []v1beta1.BGPAdvertisement{
		adv("adv-a", v1beta1.BGPAdvertisementSpec{Communities: []string{"64512:2", "large:1:2:3"}, LocalPref: 100}),
		adv("adv-b", v1beta1.BGPAdvertisementSpec{Communities: []string{"64512:1", "64512:2"}, LocalPref: 100}),
		adv("adv-c", v1beta1.BGPAdvertisementSpec{Communities: []string{"64512:2"}, LocalPref: 100}),
	}
	got := desiredRoutes(t, r, baseService())
	checkRoutes(t, got, map[string][]string{"router-a": {"198.51.100.10/32 lp=100 c=[64512:1 64512:2 large:1:2:3]"}})
}

// TestConflictingLocalPrefNotAnnounced: config.For rejects two advertisements
// without serviceSelectors that give one prefix two LOCAL_PREFs, so the resolved
// Config is changed by hand to reach the rule Desired applies at run time (MetalLB's
// checkBGPAdvConflicts): such a Service is not announced at all, in either order.
func TestConflictingLocalPrefNotAnnounced(t *testing.T) {
	r := baseResources()
	r.Peers[0].Spec.ASN = 64513
	r.BGPAdvertisements = append(r.BGPAdvertisements, adv("adv-b", v1beta1.BGPAdvertisementSpec{Communities: []string{"64512:9"}}))
	for _, lps := range [][2]uint32{{100, 300}, {300, 100}, {0, 50}, {50, 50}} {
		cfg := mustConfig(t, r)
		cfg.Advertisements[0].LocalPref, cfg.Advertisements[1].LocalPref = lps[0], lps[1]
		res := Desired(cfg, baseNode(), []Service{baseService()}, Options{})
		got := routeKeys(res.State.Peers["router-a"].Routes)
		var want []string
		if lps[0] == lps[1] {
			want = []string{"198.51.100.10/32 lp=" + itoa(lps[0]) + " c=[64512:9]"}
		}
		if !slices.Equal(got, want) {
			t.Errorf("localPrefs %v: got %q, want %q", lps, got, want)
		}
	}
}

func itoa(v uint32) string { return strconv.FormatUint(uint64(v), 10) }

func TestAggregation(t *testing.T) {
	r := baseResources()
	r.Peers[0].Spec.DualStackAddressFamily = true
	r.BGPAdvertisements[0].Spec.AggregationLength = ptr[int32](24)
	r.BGPAdvertisements[0].Spec.AggregationLengthV6 = ptr[int32](64)
	r.BGPAdvertisements[0].Spec.Communities = []string{"64512:7"}
	var svcs []Service
	for i, a := range []string{"198.51.100.10", "198.51.100.20", "198.51.100.30", "2001:db8:1::10", "2001:db8:1::20"} {
		s := baseService()
		s.Key, s.IPs = "default/svc-"+string(rune('a'+i)), ips(a)
		svcs = append(svcs, s)
	}
	res := Desired(mustConfig(t, r), baseNode(), svcs, Options{})
	got := routeKeys(res.State.Peers["router-a"].Routes)
	want := []string{"198.51.100.0/24 lp=0 c=[64512:7]", "2001:db8:1::/64 lp=0 c=[64512:7]"}
	if !slices.Equal(got, want) {
		t.Errorf("aggregated routes %q, want %q", got, want)
	}
	if n := len(res.Decisions); n != 5 {
		t.Errorf("%d decisions, want one per address (5)", n)
	}
	// The aggregate stays while any service behind it is announced.
	svcs[0].Endpoints, svcs[1].Endpoints = nil, nil
	res = Desired(mustConfig(t, r), baseNode(), svcs[:3], Options{})
	if got := routeKeys(res.State.Peers["router-a"].Routes); !slices.Equal(got, want[:1]) {
		t.Errorf("with one service left: %q, want %q", got, want[:1])
	}
	svcs[2].Endpoints = nil
	res = Desired(mustConfig(t, r), baseNode(), svcs[:3], Options{})
	if got := routeKeys(res.State.Peers["router-a"].Routes); len(got) != 0 {
		t.Errorf("with no service left: %q, want none", got)
	}
}

// TestAggregateAndHostRoutes: a /24 and a /32 advertisement of one pool give two
// routes, each with its own advertisement's attributes. (Both aggregation lengths
// differ, or config.For would see a LOCAL_PREF conflict on the pool's IPv6 half.)
func TestAggregateAndHostRoutes(t *testing.T) {
	r := baseResources()
	r.Peers[0].Spec.ASN = 64513
	r.BGPAdvertisements = []v1beta1.BGPAdvertisement{
		adv("host", v1beta1.BGPAdvertisementSpec{LocalPref: 200, Communities: []string{"64512:32"}}),
		adv("aggregate", v1beta1.BGPAdvertisementSpec{LocalPref: 100, AggregationLength: ptr[int32](24), AggregationLengthV6: ptr[int32](64), Communities: []string{"64512:24"}}),
	}
	got := desiredRoutes(t, r, baseService())
	checkRoutes(t, got, map[string][]string{"router-a": {
		"198.51.100.0/24 lp=100 c=[64512:24]", "198.51.100.10/32 lp=200 c=[64512:32]",
	}})
}

// TestDesiredOrderIndependent: the state does not depend on the order of services.
func TestDesiredOrderIndependent(t *testing.T) {
	r := primaryBackup(64512)
	r.BGPAdvertisements[0].Spec.AggregationLength = ptr[int32](28)
	var svcs []Service
	for i := range 40 {
		s := baseService()
		s.IPs = ips("198.51.100." + itoa(uint32(i*6)))
		svcs = append(svcs, s)
	}
	cfg := mustConfig(t, r)
	a := Desired(cfg, baseNode(), svcs, Options{}).State
	slices.Reverse(svcs)
	b := Desired(cfg, baseNode(), svcs, Options{}).State
	if !a.Equal(b) || !Diff(a, b).Empty() {
		t.Errorf("state depends on service order: %+v", Diff(a, b))
	}
}

func TestNilConfig(t *testing.T) {
	res := Desired(nil, baseNode(), []Service{baseService()}, Options{})
	if len(res.State.Peers) != 0 || len(res.PeerDecisions) != 0 {
		t.Errorf("nil config runs %v", res.State.Peers)
	}
}
