package config

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
)

const ns = DefaultNamespace

func meta(name string) metav1.ObjectMeta { return metav1.ObjectMeta{Name: name, Namespace: ns} }

func ptr[T any](v T) *T { return &v }

func dur(s string) *metav1.Duration {
	d, err := time.ParseDuration(s)
	if err != nil {
		panic(err)
	}
	return &metav1.Duration{Duration: d}
}

func pool(name string, addrs ...string) v1beta1.IPAddressPool {
	return v1beta1.IPAddressPool{ObjectMeta: meta(name), Spec: v1beta1.IPAddressPoolSpec{Addresses: addrs}}
}

func peer(name string, my, asn uint32, addr string) v1beta2.BGPPeer {
	return v1beta2.BGPPeer{ObjectMeta: meta(name), Spec: v1beta2.BGPPeerSpec{MyASN: my, ASN: asn, Address: addr}}
}

func adv(name string, s v1beta1.BGPAdvertisementSpec) v1beta1.BGPAdvertisement {
	return v1beta1.BGPAdvertisement{ObjectMeta: meta(name), Spec: s}
}

// community builds a Community resource from name, value pairs.
func community(name string, kv ...string) v1beta1.Community {
	c := v1beta1.Community{ObjectMeta: meta(name)}
	for i := 0; i+1 < len(kv); i += 2 {
		c.Spec.Communities = append(c.Spec.Communities, v1beta1.CommunityAlias{Name: kv[i], Value: kv[i+1]})
	}
	return c
}

func bfd(name string, s v1beta1.BFDProfileSpec) v1beta1.BFDProfile {
	return v1beta1.BFDProfile{ObjectMeta: meta(name), Spec: s}
}

func secret(name string, typ corev1.SecretType, data map[string]string) corev1.Secret {
	s := corev1.Secret{ObjectMeta: meta(name), Type: typ, Data: map[string][]byte{}}
	for k, v := range data {
		s.Data[k] = []byte(v)
	}
	return s
}

func node(name string, labels map[string]string) corev1.Node {
	return corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
}

// base is a clean configuration: one pool, one eBGP peer, one advertisement of every
// pool to every peer. For reports nothing about it; each case changes one thing.
func base() Resources {
	return Resources{
		Pools:             []v1beta1.IPAddressPool{pool("pool-a", "198.51.100.0/24")},
		Peers:             []v1beta2.BGPPeer{peer("router-a", 64513, 64512, "192.0.2.1")},
		BGPAdvertisements: []v1beta1.BGPAdvertisement{adv("adv-a", v1beta1.BGPAdvertisementSpec{})},
	}
}

// key is what the rule tests compare: not the wording, which may change.
func key(f Finding) string {
	return fmt.Sprintf("%s %s %s/%s %s", f.Severity, f.Code, f.Kind, f.Name, f.Field)
}

func E(code, obj, field string) string { return "error " + code + " " + obj + " " + field }
func W(code, obj, field string) string { return "warning " + code + " " + obj + " " + field }

type ruleCase struct {
	name string
	mut  func(r *Resources)
	want []string // exactly these findings; none means the configuration is clean
}

func runRules(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := base()
			if tc.mut != nil {
				tc.mut(&r)
			}
			cfg, fs := For(r, Options{})
			var got []string
			for _, f := range fs {
				got = append(got, strings.TrimSpace(key(f)))
				if f.Message == "" || f.Hint == "" || f.Code == "" || f.Kind == "" {
					t.Errorf("finding lacks message, hint, code or kind: %+v", f)
				}
			}
			want := slices.Clone(tc.want)
			for i := range want {
				want[i] = strings.TrimSpace(want[i])
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("findings:\n got  %q\n want %q\nall:\n%s", got, want, dump(fs))
			}
			if (cfg == nil) != fs.HasErrors() {
				t.Errorf("Config nil = %v, but HasErrors = %v", cfg == nil, fs.HasErrors())
			}
		})
	}
}

func dump(fs Findings) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("  " + f.String() + "\n")
	}
	return b.String()
}
