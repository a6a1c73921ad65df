package suites

import (
	"context"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/yaml"

	"github.com/bgplb/bgplb/scenarios"
	"github.com/bgplb/bgplb/scenarios/runner"
	"github.com/bgplb/bgplb/topologies/backend"
)

// The guide's multi-router configuration (examples/guide/multi-router/), applied to
// two-dc as the guide writes it, with only what must change to fit the lab mapped:
// its router addresses to two-dc's, its pool to the lab's VIP range, dc2's AS (the
// guide gives both DCs 64512, which would make the inter-DC sessions iBGP; two-dc
// runs dc2 as 64514), and the MD5 keys in its Secrets to the lab routers' keys.
// Its mistakes stay: a Secret's name in password, Community resource names where
// aliases belong, localPref toward eBGP peers.
var guideAddresses = map[string]string{
	"192.0.2.1": "203.0.113.1", "192.0.2.2": "203.0.113.2", "192.0.2.129": "203.0.113.3", "192.0.2.130": "203.0.113.4",
}

var guideKeys = map[string]string{"bgp-dc1-secret": "bgp-dc1-secret", "bgp-dc2-secret": "bgp-dc2-secret"}

// The lab's own configuration, removed first: the guide's replaces it.
const labConfig = `
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: {name: r1}
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: {name: r2}
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: {name: r3}
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: {name: r4}
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: {name: lab-vips}
---
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: lab-vips}
`

var _ = Describe("the guide, verbatim", Ordered, Label("feature:guide", "feature:community", "router:frr", "router:bird", "backend:netns", "speed:fast"), func() {
	const demo = "default/demo"
	nodes := []string{"n1", "n2", "n3"}
	var l *runner.Lab
	// Primary is the steady state the guide's configuration means.
	primary := []scenarios.Expectation{
		scenarios.RouteVia{Router: "r1", Service: demo, NextHops: nodes, Communities: []string{"64512:1100"}, LocalPref: scenarios.Pref(200)},
		// r2 got 64512:1200 (190) itself, and prefers r1's path at 200: dc1 primary.
		scenarios.RouteVia{Router: "r2", Service: demo, NextHops: []string{"r1"}, LocalPref: scenarios.Pref(200)},
		scenarios.RouteVia{Router: "r3", Service: demo, Communities: []string{"64512:2100"}, LocalPref: scenarios.Pref(150)},
		// r4 got 64512:2200 (140) and prefers r3's path at 150: dc2 primary.
		scenarios.RouteVia{Router: "r4", Service: demo, NextHops: []string{"r3"}, LocalPref: scenarios.Pref(150)},
	}

	BeforeAll(func() { l = upLab("two-dc") })

	It("runs the guide's multi-router configuration: each DC's routers prefer what the guide meant", func() {
		await(l, scenarios.Step{Name: "lab up, backends on every node", Within: 60 * time.Second,
			Do:     scenarios.Action{Backends: &scenarios.Backends{Service: demo, Nodes: nodes}},
			Expect: []scenarios.Expectation{scenarios.RouteVia{Router: "r1", Service: demo, NextHops: nodes}}})
		await(l, scenarios.Step{Name: "lab configuration removed", Do: scenarios.Action{Delete: labConfig}, Within: 60 * time.Second,
			Expect: []scenarios.Expectation{scenarios.NoRoute{Router: "r1", Service: demo}}})
		// Every router maps the guide's communities to its LOCAL_PREFs; the
		// advertisements send each router its own community.
		await(l, scenarios.Step{Name: "the guide's manifests", Do: scenarios.Action{Apply: guideManifests("multi-router")}, Within: 90 * time.Second,
			Expect: append([]scenarios.Expectation{scenarios.HasIP{Service: demo}}, primary...)})
		for _, c := range []string{"c1", "c2"} {
			v, _, err := l.View(context.Background())
			Expect(err).NotTo(HaveOccurred())
			s := l.Requests(context.Background(), c, v.Services[demo][0], 20)
			Expect(s.Failed).To(BeZero(), "%s through the guide's configuration: %+v", c, s)
		}
		// The guide's mistakes are accepted and said, where users look.
		Eventually(func() []string { return findings(l) }).WithTimeout(20 * time.Second).Should(And(
			ContainElement(ContainSubstring("peer-password-names-secret")),
			ContainElement(ContainSubstring("names a Community resource")),
			ContainElement(ContainSubstring("adv-localpref-ebgp"))))
		Expect(configResult(l)).To(HavePrefix("Valid"))
	})

	It("carries dc2's traffic on dc2's own communities while dc1 is cut off, and goes back to dc1 when it heals", func() {
		rec, err := l.StartRecording(context.Background(), scenarios.Scenario{Name: "guide-multi-router", Topology: "two-dc", Service: demo}, []string{"c1", "c2"})
		Expect(err).NotTo(HaveOccurred())
		timings := map[string]time.Duration{}
		DeferCleanup(func() { finish(rec, timings) })

		// Cut off, dc2 hears of the Service from n3 alone: r3 at dc2-primary's 150, r4 through r3.
		took := run(rec, scenarios.Step{Name: "partition dc1", Do: fault(backend.FaultPartition, "dc1", ""), Within: 30 * time.Second,
			Expect: []scenarios.Expectation{
				scenarios.RouteVia{Router: "r3", Service: demo, NextHops: []string{"n3"}, Communities: []string{"64512:2100"}, LocalPref: scenarios.Pref(150)},
				scenarios.RouteVia{Router: "r4", Service: demo, NextHops: []string{"r3"}, LocalPref: scenarios.Pref(150)},
				scenarios.RouteVia{Router: "r1", Service: demo, NextHops: []string{"n1", "n2"}, LocalPref: scenarios.Pref(200)},
			}})
		timings["dc1 partitioned -> dc2 on n3 at LOCAL_PREF 150 (64512:2100)"] = took
		ip := serviceIP(l, demo).Addr().String()
		s := l.Requests(context.Background(), "c2", ip, 20)
		Expect(s.Failed).To(BeZero(), "c2 while dc1 is cut off: %+v", s)
		Expect(s.Nodes()).To(Equal([]string{"n3"}))
		Expect(l.Requests(context.Background(), "c1", ip, 20).Failed).To(BeZero(), "c1 inside dc1")

		// None of the steady state rides an inter-DC session (BIRD re-admits those
		// only after its error wait), so it returns as soon as the nodes do.
		took = run(rec, scenarios.Step{Name: "heal dc1", Do: fault(backend.FaultHeal, "dc1", ""), Within: 90 * time.Second, Expect: primary})
		timings["dc1 healed -> every router as the guide meant again"] = took
	})
})

// guideManifests reads examples/guide/<dir>/ and maps it onto two-dc.
func guideManifests(dir string) string {
	GinkgoHelper()
	var out []string
	for _, doc := range strings.Split(example(dir), "\n---") {
		var m map[string]any
		Expect(yaml.Unmarshal([]byte(doc), &m)).To(Succeed(), "examples/guide/%s", dir)
		if len(m) == 0 {
			continue
		}
		mapToLab(m)
		b, err := yaml.Marshal(m)
		Expect(err).NotTo(HaveOccurred())
		out = append(out, string(b))
	}
	return strings.Join(out, "---\n")
}

func mapToLab(m map[string]any) {
	spec, _ := m["spec"].(map[string]any)
	meta, _ := m["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	switch m["kind"] {
	case "IPAddressPool":
		spec["addresses"] = []any{"198.18.0.0/24"}
	case "BGPPeer":
		if a, ok := guideAddresses[spec["peerAddress"].(string)]; ok {
			spec["peerAddress"] = a
		}
		if strings.HasPrefix(name, "dc2-") {
			spec["peerASN"] = 64514
		}
	case "Secret":
		if key, ok := guideKeys[name]; ok {
			m["stringData"] = map[string]any{"password": key}
		}
	}
}
