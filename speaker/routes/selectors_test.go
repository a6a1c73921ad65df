package routes

import (
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/config"
)

// TestServiceSelectorRules: a BGPAdvertisement's serviceSelectors choose the
// Services it announces (MetalLB's bgpAdsForService), OR across the list.
func TestServiceSelectorRules(t *testing.T) {
	const ann = "router-a:announced:adv-a"
	selects := func(sels ...metav1.LabelSelector) func(*config.Resources) {
		return advSpec(func(s *v1beta1.BGPAdvertisementSpec) { s.ServiceSelectors = sels })
	}
	labelled := func(kv ...string) func(*Service) {
		return func(s *Service) {
			s.Labels = labels.Set{}
			for i := 0; i+1 < len(kv); i += 2 {
				s.Labels[kv[i]] = kv[i+1]
			}
		}
	}
	second := func(s v1beta1.BGPAdvertisementSpec, more ...func(*config.Resources)) func(*config.Resources) {
		return func(r *config.Resources) {
			r.BGPAdvertisements = append(r.BGPAdvertisements, adv("adv-b", s))
			for _, f := range more {
				f(r)
			}
		}
	}
	ibgp := func(r *config.Resources) { r.Peers[0].Spec.ASN = 64513 }
	runRules(t, []ruleCase{
		{name: "selector matches the Service", res: selects(sel("app", "web")), svc: labelled("app", "web"), want: []string{ann}},
		{name: "selector does not match", res: selects(sel("app", "web")), svc: labelled("app", "db"), want: []string{"-:noMatchingAdvertisement"}},
		{name: "unlabelled Service", res: selects(sel("app", "web")), want: []string{"-:noMatchingAdvertisement"}},
		{name: "OR across the list", res: selects(sel("app", "db"), sel("tier", "front")), svc: labelled("app", "web", "tier", "front"),
			want: []string{ann}},
		{name: "an empty selector matches every Service", res: selects(metav1.LabelSelector{}), svc: labelled("app", "x"), want: []string{ann}},
		{name: "node leaves out the only matching advertisement", res: second(v1beta1.BGPAdvertisementSpec{
			ServiceSelectors: []metav1.LabelSelector{sel("app", "db")}}, selects(sel("app", "web")),
			advSpec(func(s *v1beta1.BGPAdvertisementSpec) { s.NodeSelectors = []metav1.LabelSelector{sel("zone", "b")} })),
			svc: labelled("app", "web"), want: []string{"-:noMatchingAdvertisement"}},
		{name: "the other advertisement matches", res: second(v1beta1.BGPAdvertisementSpec{
			ServiceSelectors: []metav1.LabelSelector{sel("app", "db")}}, selects(sel("app", "web"))),
			svc: labelled("app", "db"), want: []string{"router-a:announced:adv-b"}},
		{name: "localPref conflict among matching advertisements", res: second(v1beta1.BGPAdvertisementSpec{LocalPref: 100,
			ServiceSelectors: []metav1.LabelSelector{sel("app", "web")}}, ibgp, advSpec(func(s *v1beta1.BGPAdvertisementSpec) { s.LocalPref = 200 })),
			svc: labelled("app", "web"), want: []string{"-:conflictingAdvertisements"}},
		{name: "localPref conflict avoided: selector does not match", res: second(v1beta1.BGPAdvertisementSpec{LocalPref: 100,
			ServiceSelectors: []metav1.LabelSelector{sel("app", "web")}}, ibgp, advSpec(func(s *v1beta1.BGPAdvertisementSpec) { s.LocalPref = 200 })),
			svc: labelled("app", "db"), want: []string{ann}},
	})
}

// TestServiceSelectorsSplitPeers is the lab spec's case in the pure core: two
// Services of one pool, two advertisements with different selectors, communities and
// peers; each peer gets exactly its Service, with its community, and relabelling a
// Service moves it.
func TestServiceSelectorsSplitPeers(t *testing.T) {
	r := baseResources()
	r.Peers = append(r.Peers, peer("router-b", 64513, 64512, "192.0.2.2"))
	r.BGPAdvertisements = []v1beta1.BGPAdvertisement{
		adv("adv-a", v1beta1.BGPAdvertisementSpec{Peers: []string{"router-a"}, Communities: []string{"64512:100"},
			ServiceSelectors: []metav1.LabelSelector{sel("exposure", "a")}}),
		adv("adv-b", v1beta1.BGPAdvertisementSpec{Peers: []string{"router-b"}, Communities: []string{"64512:200"},
			ServiceSelectors: []metav1.LabelSelector{sel("exposure", "b")}}),
	}
	cfg := mustConfig(t, r)
	web, db := baseService(), baseService()
	web.Key, web.Labels = "default/web", labels.Set{"exposure": "a"}
	db.Key, db.IPs, db.Labels = "default/db", ips("198.51.100.20"), labels.Set{"exposure": "b"}

	check := func(t *testing.T, svcs []Service, wantA, wantB []string) {
		t.Helper()
		res := Desired(cfg, baseNode(), svcs, Options{})
		if got := routeKeys(res.State.Peers["router-a"].Routes); !slices.Equal(got, wantA) {
			t.Errorf("router-a: got %q, want %q", got, wantA)
		}
		if got := routeKeys(res.State.Peers["router-b"].Routes); !slices.Equal(got, wantB) {
			t.Errorf("router-b: got %q, want %q", got, wantB)
		}
		checkConsistent(t, res, cfg)
	}
	check(t, []Service{web, db}, []string{"198.51.100.10/32 lp=0 c=[64512:100]"}, []string{"198.51.100.20/32 lp=0 c=[64512:200]"})
	db.Labels = labels.Set{"exposure": "a"} // relabelled: moves to router-a
	check(t, []Service{web, db}, []string{"198.51.100.10/32 lp=0 c=[64512:100]", "198.51.100.20/32 lp=0 c=[64512:100]"}, nil)
}
