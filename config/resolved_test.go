package config

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/bgplb/bgplb/api/v1beta1"
)

// multiRouter is the guide's "Complete Multi-Router Configuration" with lab addresses,
// plus the two Secrets its password fields name (the guide's mistake: it writes the
// Secret's name where the password goes). The Secrets are basic-auth, as examples/guide has them.
func multiRouter() Resources {
	r := Resources{
		Pools: []v1beta1.IPAddressPool{pool("production-pool", "198.51.100.0/24")},
		BFDProfiles: []v1beta1.BFDProfile{bfd("production-bfd", v1beta1.BFDProfileSpec{
			ReceiveInterval: ptr[uint32](300), TransmitInterval: ptr[uint32](300), DetectMultiplier: ptr[uint32](3),
			EchoMode: ptr(false), PassiveMode: ptr(false), MinimumTTL: ptr[uint32](254),
		})},
		Secrets: []corev1.Secret{
			secret("bgp-dc1-secret", corev1.SecretTypeBasicAuth, map[string]string{"password": "dc1-md5"}),
			secret("bgp-dc2-secret", corev1.SecretTypeBasicAuth, map[string]string{"password": "dc2-md5"}),
		},
	}
	r.Pools[0].Spec.AutoAssign, r.Pools[0].Spec.AvoidBuggyIPs = ptr(true), true
	for i, rt := range []struct{ name, addr, secret, community, value string }{
		{"dc1-router-primary", "192.0.2.1", "bgp-dc1-secret", "dc1-primary", "64512:1100"},
		{"dc1-router-secondary", "192.0.2.2", "bgp-dc1-secret", "dc1-secondary", "64512:1200"},
		{"dc2-router-primary", "203.0.113.1", "bgp-dc2-secret", "dc2-primary", "64512:2100"},
		{"dc2-router-secondary", "203.0.113.2", "bgp-dc2-secret", "dc2-secondary", "64512:2200"},
	} {
		p := peer(rt.name, 64513, 64512, rt.addr)
		p.Spec.Password, p.Spec.HoldTime, p.Spec.KeepaliveTime, p.Spec.BFDProfile = rt.secret, dur("90s"), dur("30s"), "production-bfd"
		r.Peers = append(r.Peers, p)
		advName := strings.TrimSuffix(strings.Replace(rt.name, "-router", "", 1), "") + "-advertisement"
		r.BGPAdvertisements = append(r.BGPAdvertisements, adv(advName, v1beta1.BGPAdvertisementSpec{
			IPAddressPools: []string{"production-pool"}, Peers: []string{rt.name},
			LocalPref: uint32(200 - 10*i), Communities: []string{rt.community + "-community"}, AggregationLength: ptr[int32](32),
		}))
		r.Communities = append(r.Communities, community(rt.community+"-community", rt.community, rt.value))
	}
	return r
}

func TestResolvedMultiRouter(t *testing.T) {
	cfg, fs := For(multiRouter(), Options{})
	if cfg == nil {
		t.Fatalf("errors:\n%s", dump(fs))
	}
	// Exactly the guide's mistakes, once per object.
	counts := map[string]int{}
	for _, f := range fs {
		counts[f.Code]++
	}
	wantCounts := map[string]int{"peer-password-names-secret": 4, "adv-localpref-ebgp": 4, "community-resource-reference": 4}
	if !reflect.DeepEqual(counts, wantCounts) {
		t.Errorf("finding counts = %v, want %v\n%s", counts, wantCounts, dump(fs))
	}

	if len(cfg.Peers) != 4 || cfg.Peers[0].Name != "dc1-router-primary" || cfg.Peers[3].Name != "dc2-router-secondary" {
		t.Fatalf("peers not sorted by name: %v", cfg.Peers)
	}
	p := cfg.Peer("dc2-router-primary")
	if p.Address != netip.MustParseAddr("203.0.113.1") || p.Port != 179 || p.HoldTime != 90*time.Second ||
		p.KeepaliveTime != 30*time.Second || p.IsIBGP() || p.BFDProfile != "production-bfd" {
		t.Errorf("peer resolved wrong: %+v", p)
	}
	if p.Password.Reveal() != "dc2-md5" {
		t.Errorf("password = %q, want the Secret's password key", p.Password.Reveal())
	}
	if !p.SelectsNode(labels.Set{"any": "node"}) {
		t.Error("a peer without nodeSelectors must select every node")
	}
	for _, out := range []string{fmt.Sprintf("%v", p), fmt.Sprintf("%+v", *p), fmt.Sprintf("%#v", *p), fmt.Sprint(cfg.Peers)} {
		if strings.Contains(out, "md5") {
			t.Errorf("password printed: %s", out)
		}
	}
	js, err := json.Marshal(cfg.Peers)
	if err != nil || strings.Contains(string(js), "md5") || !strings.Contains(string(js), redacted) {
		t.Errorf("JSON leaks or lacks the redaction (%v): %s", err, js)
	}

	b := cfg.BFDProfile("production-bfd")
	want := BFDProfile{Name: "production-bfd", ReceiveInterval: 300 * time.Millisecond, TransmitInterval: 300 * time.Millisecond,
		DetectMultiplier: 3, EchoInterval: 50 * time.Millisecond, MinimumTTL: 254}
	if *b != want {
		t.Errorf("BFD profile = %+v, want %+v", *b, want)
	}

	a := cfg.Advertisement("dc1-secondary-advertisement")
	if a == nil {
		t.Fatalf("advertisements: %v", cfg.Advertisements)
	}
	if got := fmt.Sprint(a.Communities); got != "[64512:1200]" || a.LocalPref != 190 || a.AggregationLength != 32 || a.AggregationLengthV6 != 128 {
		t.Errorf("advertisement resolved wrong: communities %s, %+v", got, a)
	}
	if !a.SelectsPeer("dc1-router-secondary") || a.SelectsPeer("dc1-router-primary") || !a.AnnouncesPool("production-pool") {
		t.Errorf("advertisement selection wrong: %+v", a)
	}
	pl := cfg.Pool("production-pool")
	if len(pl.Advertisements) != 4 || !pl.AutoAssign || !pl.AvoidBuggyIPs {
		t.Errorf("pool resolved wrong: %+v", pl)
	}
	if got := a.Prefix(netip.MustParseAddr("198.51.100.7")); got != netip.MustParsePrefix("198.51.100.7/32") {
		t.Errorf("Prefix = %s", got)
	}
}

func TestDeterministic(t *testing.T) {
	want, wantFs := For(multiRouter(), Options{})
	rng := rand.New(rand.NewSource(1))
	for range 20 {
		r := multiRouter()
		rng.Shuffle(len(r.Peers), func(i, j int) { r.Peers[i], r.Peers[j] = r.Peers[j], r.Peers[i] })
		rng.Shuffle(len(r.BGPAdvertisements), func(i, j int) {
			r.BGPAdvertisements[i], r.BGPAdvertisements[j] = r.BGPAdvertisements[j], r.BGPAdvertisements[i]
		})
		rng.Shuffle(len(r.Communities), func(i, j int) { r.Communities[i], r.Communities[j] = r.Communities[j], r.Communities[i] })
		got, gotFs := For(r, Options{})
		if !reflect.DeepEqual(gotFs, wantFs) {
			t.Fatalf("findings depend on input order:\n%s\nvs\n%s", dump(gotFs), dump(wantFs))
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatal("config depends on input order")
		}
	}
}

func TestNamespaceOption(t *testing.T) {
	r := base()
	cfg, fs := For(r, Options{Namespace: "lb"})
	if cfg == nil || len(cfg.Pools)+len(cfg.Peers) != 0 || len(fs.Warnings()) != 3 {
		t.Errorf("objects in metallb-system must be ignored under namespace lb:\n%s", dump(fs))
	}
	for i := range r.Pools {
		r.Pools[i].Namespace = ""
	}
	r.Peers[0].Namespace, r.BGPAdvertisements[0].Namespace = "", ""
	if cfg, fs := For(r, Options{Namespace: "lb"}); cfg == nil || len(fs) != 0 {
		t.Errorf("objects without a namespace belong to the product namespace:\n%s", dump(fs))
	}
}

func TestPasswordNeverPrints(t *testing.T) {
	p := NewPassword("hunter2")
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("peer", "password", p)
	js, _ := json.Marshal(struct{ P Password }{p})
	txt, _ := p.MarshalText()
	for _, out := range []string{fmt.Sprint(p), fmt.Sprintf("%s %q %x %+v %#v %d", p, p, p, p, p, p), string(js), string(txt), logged.String()} {
		if strings.Contains(out, "hunter2") || !strings.Contains(out, redacted) {
			t.Errorf("printed form %q leaks or lacks %s", out, redacted)
		}
	}
	if p.Reveal() != "hunter2" || !p.IsSet() || (Password{}).IsSet() || (Password{}).String() != "" {
		t.Error("Reveal/IsSet wrong")
	}
}

func TestCommunityValues(t *testing.T) {
	for in, want := range map[string]Community{
		"64512:100":            StandardCommunity(64512, 100),
		"0:0":                  {},
		"large:4200000000:1:2": LargeCommunity(4200000000, 1, 2),
		"65535:65281":          wellKnown["no-export"],
		"large:0:0:0":          LargeCommunity(0, 0, 0),
	} {
		got, err := ParseCommunity(in)
		if err != nil || got != want || got.String() != in {
			t.Errorf("ParseCommunity(%q) = %v (%v), want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "1", "1:2:3", "a:1", "-1:2", "65536:0", "large:1:2", "large:1:2:3:4", "large:1:x:3", " 1:2", "+1:2", "large:4294967296:0:0"} {
		if c, err := ParseCommunity(in); err == nil {
			t.Errorf("ParseCommunity(%q) = %v, want error", in, c)
		}
	}
	wk := map[string]string{"no-export": "65535:65281", "no-advertise": "65535:65282", "no-export-subconfed": "65535:65283",
		"local-as": "65535:65283", "no-peer": "65535:65284", "blackhole": "65535:666", "graceful-shutdown": "65535:0",
		"accept-own": "65535:1", "llgr-stale": "65535:6", "no-llgr": "65535:7"}
	for name, v := range wk {
		if c, ok := WellKnownCommunity(name); !ok || c.String() != v {
			t.Errorf("%s = %v, want %s", name, c, v)
		}
	}
	if len(wellKnown) != len(wk) {
		t.Errorf("well-known table has %d names, test knows %d", len(wellKnown), len(wk))
	}
	cs := []Community{LargeCommunity(1, 2, 3), StandardCommunity(2, 1), StandardCommunity(1, 9)}
	slices.SortFunc(cs, Community.Compare)
	if fmt.Sprint(cs) != "[1:9 2:1 large:1:2:3]" || !cs[2].IsLarge() || cs[2].Large() != [3]uint32{1, 2, 3} || cs[0].Standard() != 1<<16|9 {
		t.Errorf("sorted = %v", cs)
	}
}

func TestServiceFindings(t *testing.T) {
	svc := &corev1.Service{}
	svc.Name, svc.Namespace = "nginx-lb", "default"
	svc.Annotations = map[string]string{
		"metallb.universe.tf/address-pool":    "production-pool",
		"metallb.universe.tf/allow-shared-ip": "key",
		"metallb.universe.tf/loadBalancerIPs": "198.51.100.7",
		"metallb.io/address-pool":             "other",
		"example.com/x":                       "y",
	}
	var got []string
	for _, f := range ServiceFindings(svc) {
		got = append(got, key(f))
		if !strings.Contains(f.Hint, "metallb.io/") {
			t.Errorf("hint does not name the replacement: %+v", f)
		}
	}
	want := []string{
		W("annotation-deprecated", "Service/default/nginx-lb", "metadata.annotations[metallb.universe.tf/address-pool]"),
		W("annotation-deprecated", "Service/default/nginx-lb", "metadata.annotations[metallb.universe.tf/allow-shared-ip]"),
		W("annotation-deprecated", "Service/default/nginx-lb", "metadata.annotations[metallb.universe.tf/loadBalancerIPs]"),
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if v, _ := ServiceAnnotation(svc, AnnotationAddressPool); v != "other" {
		t.Errorf("new key must win, got %q", v)
	}
	if v, ok := ServiceAnnotation(svc, AnnotationLoadBalancerIPs); !ok || v != "198.51.100.7" {
		t.Errorf("deprecated key not read: %q", v)
	}
	clean := &corev1.Service{}
	clean.Annotations = map[string]string{"metallb.io/address-pool": "p"}
	if fs := ServiceFindings(clean); len(fs) != 0 || ServiceFindings(nil) != nil {
		t.Errorf("clean service has findings: %v", fs)
	}
}
