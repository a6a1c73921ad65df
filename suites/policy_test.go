package suites

import (
	"context"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/scenarios"
	"github.com/bgplb/bgplb/scenarios/runner"
	"github.com/bgplb/bgplb/speaker/gobgp"
	"github.com/bgplb/bgplb/topologies/model"
)

// Per-peer advertisements on two-dc. Every router maps the guide's communities to
// LOCAL_PREF on routes from speakers (64512:1100 -> 200, 64512:1200 -> 190).
const policyManifests = `
apiVersion: metallb.io/v1beta1
kind: Community
metadata: {name: lab-communities}
spec:
  communities:
  - {name: dc1-secondary, value: "64512:1200"}
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: {name: to-r1}
spec:
  ipAddressPools: [lab-vips]
  peers: [r1]
  communities: ["64512:1100", "no-export", "large:64512:7:7"]
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: {name: to-r4}
spec:
  ipAddressPools: [lab-vips]
  peers: [r4]
  # A Community resource's name where an alias belongs, as the guide writes it:
  # bgplb uses all its entries and warns.
  communities: [lab-communities]
`

var _ = Describe("community and LOCAL_PREF policy", Ordered, Label("feature:community", "feature:localpref", "feature:md5", "feature:config-churn", "router:frr", "router:bird", "backend:netns", "speed:fast"), func() {
	const demo = "default/demo"
	nodes := []string{"n1", "n2", "n3"}
	var l *runner.Lab

	policy := []scenarios.Expectation{
		// Standard, well-known and large communities reach r1 only; its route-map
		// turns 64512:1100 into LOCAL_PREF 200.
		scenarios.RouteVia{Router: "r1", Service: demo, NextHops: nodes,
			Communities: []string{"64512:1100", "noExport", "64512:7:7"}, Without: []string{"64512:1200"}, LocalPref: scenarios.Pref(200)},
		// r2 got no community from the speakers, so r1's LOCAL_PREF 200 (iBGP) wins
		// over r2's own paths: the community changed the chosen path.
		scenarios.RouteVia{Router: "r2", Service: demo, NextHops: []string{"r1"}, LocalPref: scenarios.Pref(200)},
		// The Community resource name expanded to its entry, at r4 only.
		scenarios.RouteVia{Router: "r4", Service: demo, NextHops: nodes,
			Communities: []string{"64512:1200"}, Without: []string{"64512:1100"}, LocalPref: scenarios.Pref(190)},
		// no-export kept r1's path inside dc1: BIRD's best is r4's (iBGP, 190).
		scenarios.RouteVia{Router: "r3", Service: demo, NextHops: []string{"r4"},
			Without: []string{"64512:1100"}, LocalPref: scenarios.Pref(190)},
	}

	BeforeAll(func() {
		l = upLab("two-dc")
		await(l, scenarios.Step{Name: "backends everywhere", Within: 60 * time.Second,
			Do:     scenarios.Action{Backends: &scenarios.Backends{Service: demo, Nodes: nodes}},
			Expect: []scenarios.Expectation{scenarios.RouteVia{Router: "r1", Service: demo, NextHops: nodes}}})
	})

	It("sends each advertisement's communities to its peers only, and the routers act on them", func() {
		await(l, scenarios.Step{Name: "per-peer advertisements", Do: scenarios.Action{Apply: policyManifests},
			Within: 30 * time.Second, Expect: policy})
	})

	It("shows the user what it did with a Community resource name, and warns of localPref toward eBGP", func() {
		// An aggregate to r1 (kept apart from lab-vips by its length, so the
		// localPrefs do not conflict) with a localPref that eBGP never carries.
		await(l, scenarios.Step{Name: "localPref toward eBGP r1", Do: scenarios.Action{Apply: `
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: {name: aggregate-to-r1}
spec:
  ipAddressPools: [lab-vips]
  peers: [r1]
  aggregationLength: 24
  localPref: 300
`}, Expect: append(policy, scenarios.RouteVia{Router: "r1", Service: demo, Length: 24, NextHops: nodes})})
		Expect(configResult(l)).To(HavePrefix(string(v1beta1.ConfigurationStateValid)))
		Eventually(func() []string { return findings(l) }).WithTimeout(20 * time.Second).WithPolling(500 * time.Millisecond).Should(
			And(ContainElement(ContainSubstring("adv-localpref-ebgp")), ContainElement(ContainSubstring("names a Community resource"))))
	})

	It("keeps everything announced as it was when a bad configuration is pushed, and says why", func() {
		bad := `
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: {name: broken}
spec:
  ipAddressPools: [lab-vips]
  communities: ["no-such-alias"]
`
		await(l, scenarios.Step{Name: "push an unknown community alias", Do: scenarios.Action{Apply: bad},
			Within: 10 * time.Second, Hold: 5 * time.Second, Expect: policy})
		Eventually(func() string { return configResult(l) }).WithTimeout(20 * time.Second).Should(HavePrefix(string(v1beta1.ConfigurationStateInvalid)))
		await(l, scenarios.Step{Name: "remove it", Do: scenarios.Action{Delete: bad}, Expect: policy})
		Eventually(func() string { return configResult(l) }).WithTimeout(20 * time.Second).Should(HavePrefix(string(v1beta1.ConfigurationStateValid)))
	})

	It("never establishes with a wrong MD5 password, says so on the BGPPeer, and recovers with the right one", func() {
		setPassword(l, "r1-bgp-password", "not-the-routers-key")
		Eventually(func() []string { return establishedTo(l, "r1") }).WithTimeout(60*time.Second).WithPolling(time.Second).
			Should(BeEmpty(), "r1's sessions with the speakers")
		Eventually(func() string {
			if st := peerStatus(l, "r1", "n1"); st != nil {
				return st.LastError
			}
			return ""
		}).WithTimeout(60 * time.Second).WithPolling(time.Second).Should(ContainSubstring(gobgp.MD5Hint))
		Consistently(func() []string { return establishedTo(l, "r1") }).WithTimeout(5 * time.Second).Should(BeEmpty())

		setPassword(l, "r1-bgp-password", "bgp-dc1-secret")
		await(l, scenarios.Step{Name: "right password", Within: 90 * time.Second, Expect: policy})
		Expect(establishedTo(l, "r1")).To(ConsistOf(nodes))
	})
})

// findings are the controller's ConfigurationState findings, "code: message".
func findings(l *runner.Lab) []string {
	var cs v1beta1.ConfigurationState
	if err := l.Client.Get(context.Background(), key(model.Namespace, "controller"), &cs); err != nil {
		return nil
	}
	var out []string
	for _, f := range cs.Status.Findings {
		out = append(out, f.Code+": "+f.Message)
	}
	return out
}

func configResult(l *runner.Lab) string {
	var cs v1beta1.ConfigurationState
	if err := l.Client.Get(context.Background(), key(model.Namespace, "controller"), &cs); err != nil {
		return err.Error()
	}
	return string(cs.Status.Result) + " " + cs.Status.ErrorSummary
}

func setPassword(l *runner.Lab, secret, password string) {
	GinkgoHelper()
	s := &corev1.Secret{}
	s.Name, s.Namespace = secret, model.Namespace
	patch := `{"stringData":{"password":"` + password + `"}}`
	Expect(l.Client.Patch(context.Background(), s, client.RawPatch(types.MergePatchType, []byte(patch)))).To(Succeed())
}

// establishedTo lists the nodes router has an Established session with.
func establishedTo(l *runner.Lab, router string) []string {
	v, _, err := l.View(context.Background())
	if err != nil {
		return []string{"error: " + err.Error()}
	}
	var out []string
	for _, s := range v.Sessions {
		if s.Router == router && strings.HasPrefix(s.Neighbor, "n") && s.State == "Established" {
			out = append(out, s.Neighbor)
		}
	}
	return out
}
