package snapshot_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/config"
	st "github.com/bgplb/bgplb/testing/snapshottest"
)

// TestConfigAsTheComponents: two advertisements of one pool with different
// localPrefs and node selectors that one Node matches both of. The configuration
// core with that Node calls it an error; the components, which give it no Nodes,
// run the configuration, and so must the operator tools' evaluation. On n1 the
// speaker then finds the conflict itself (MetalLB's run-time check) and announces
// the Service nowhere rather than with either LOCAL_PREF.
func TestConfigAsTheComponents(t *testing.T) {
	s := st.Base()
	s.Nodes[0] = st.Node("n1", "zone", "a", "rack", "1")
	s.Resources.Nodes = []corev1.Node{{ObjectMeta: metav1.ObjectMeta{Name: "n1", Labels: s.Nodes[0].Labels}}}
	sel := func(k, v string) []metav1.LabelSelector {
		return []metav1.LabelSelector{{MatchLabels: map[string]string{k: v}}}
	}
	s.Resources.BGPAdvertisements = []v1beta1.BGPAdvertisement{
		st.Adv("a", v1beta1.BGPAdvertisementSpec{LocalPref: 100, NodeSelectors: sel("zone", "a")}),
		st.Adv("b", v1beta1.BGPAdvertisementSpec{LocalPref: 200, NodeSelectors: sel("rack", "1")}),
	}
	if cfg, fs := config.For(s.Resources, config.Options{}); cfg != nil {
		t.Fatalf("the core with Nodes accepts the conflict; the test no longer shows the difference: %v", fs)
	}
	if cfg, fs := s.Config(); cfg == nil {
		t.Errorf("Config refuses what the components accept: %v", fs.Errors())
	}
	if ev := s.Evaluate(); ev.Config == nil || len(ev.Nodes["n1"].State.Peers["tor"].Routes) != 0 {
		t.Errorf("Evaluate: config %v, n1 routes %v", ev.Config != nil, ev.Nodes["n1"].State.Peers["tor"].Routes)
	}
}
