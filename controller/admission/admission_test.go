package admission

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
	"github.com/bgplb/bgplb/config"
)

const ns = config.DefaultNamespace

func meta(name string) metav1.ObjectMeta { return metav1.ObjectMeta{Name: name, Namespace: ns} }

func pool(name, cidr string) *v1beta1.IPAddressPool {
	return &v1beta1.IPAddressPool{ObjectMeta: meta(name), Spec: v1beta1.IPAddressPoolSpec{Addresses: []string{cidr}}}
}

func adv(name string, communities ...string) *v1beta1.BGPAdvertisement {
	return &v1beta1.BGPAdvertisement{ObjectMeta: meta(name), Spec: v1beta1.BGPAdvertisementSpec{Communities: communities}}
}

func base() config.Resources {
	return config.Resources{
		Pools:             []v1beta1.IPAddressPool{*pool("vips", "198.18.0.0/24")},
		Peers:             []v1beta2.BGPPeer{{ObjectMeta: meta("tor"), Spec: v1beta2.BGPPeerSpec{MyASN: 64513, ASN: 64512, Address: "192.0.2.1"}}},
		BGPAdvertisements: []v1beta1.BGPAdvertisement{*adv("all")},
	}
}

func TestDecide(t *testing.T) {
	broken := base()
	broken.BGPAdvertisements = append(broken.BGPAdvertisements, *adv("bad", "no-such-alias"))
	for _, c := range []struct {
		name     string
		cur      config.Resources
		ch       Change
		allowed  bool
		contains string // in the denial (or warning when allowed)
	}{
		{"valid new pool", base(), Change{Create, config.KindIPAddressPool, "more", pool("more", "198.18.1.0/24")}, true, ""},
		{"overlapping pool", base(), Change{Create, config.KindIPAddressPool, "dup", pool("dup", "198.18.0.128/25")}, false, "IPAddressPool"},
		{"unknown alias", base(), Change{Create, config.KindBGPAdvertisement, "x", adv("x", "no-such-alias")}, false, "no-such-alias"},
		{"update keeps name", base(), Change{Update, config.KindIPAddressPool, "vips", pool("vips", "198.18.2.0/24")}, true, ""},
		// Already broken: an unrelated change is not blocked by the old error...
		{"broken stays fixable", broken, Change{Create, config.KindIPAddressPool, "more", pool("more", "198.18.1.0/24")}, true, ""},
		// ...deleting the culprit is allowed, and so is fixing it.
		{"delete the culprit", broken, Change{Delete, config.KindBGPAdvertisement, "bad", nil}, true, ""},
		{"fix the culprit", broken, Change{Update, config.KindBGPAdvertisement, "bad", adv("bad", "64512:1")}, true, ""},
		// ...but a change that adds a new error is refused.
		{"broken, new error", broken, Change{Create, config.KindBGPAdvertisement, "y", adv("y", "another-missing")}, false, "another-missing"},
		// Deleting what others refer to is an error too (the pool named by an advertisement).
		{"warning only", base(), Change{Create, config.KindBGPAdvertisement, "wk", adv("wk", "no-export")}, true, "no-export"},
		// v1beta1 form of the stored v1beta2 peer: the same object, not a duplicate.
		{"v1beta1 update of a v1beta2 peer", base(), Change{Update, config.KindBGPPeer, "tor",
			&v1beta1.BGPPeer{ObjectMeta: meta("tor"), Spec: v1beta1.BGPPeerSpec{MyASN: 64513, ASN: 64512, Address: "192.0.2.1"}}}, true, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := Decide(c.cur, c.ch, config.Options{Namespace: ns})
			if err != nil {
				t.Fatal(err)
			}
			if d.Allowed != c.allowed {
				t.Fatalf("allowed = %v, want %v: denied %v warnings %v", d.Allowed, c.allowed, d.Denied, d.Warnings)
			}
			text := strings.Join(append(d.Denied, d.Warnings...), "\n")
			if c.contains != "" && !strings.Contains(text, c.contains) {
				t.Errorf("answer %q does not mention %q", text, c.contains)
			}
		})
	}
	if _, err := Decide(base(), Change{Create, "Service", "x", nil}, config.Options{Namespace: ns}); err == nil {
		t.Error("a kind outside the configuration was judged")
	}
}
