package suites

import (
	"context"
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/bgplb/bgplb/api/v1beta2"
	"github.com/bgplb/bgplb/scenarios"
	"github.com/bgplb/bgplb/scenarios/runner"
	"github.com/bgplb/bgplb/topologies/model"
)

// MetalLB behaviour that bgplb got wrong (issue 15): serviceSelectors applied,
// dynamicASN enforced, unknown names skipped instead of wedging the configuration.
var _ = Describe("MetalLB behaviour", Ordered, Label("feature:service-selectors", "feature:dynamic-asn", "feature:dangling-references", "router:frr", "backend:netns", "speed:fast"), func() {
	nodes := []string{"n1", "n2"}
	var l *runner.Lab

	BeforeAll(func() {
		l = upLab("testdata/two-routers.yaml")
		await(l, scenarios.Step{Name: "demo announced to both routers", Within: 90 * time.Second,
			Do: scenarios.Action{Backends: &scenarios.Backends{Service: "default/demo", Nodes: nodes}},
			Expect: []scenarios.Expectation{scenarios.RouteVia{Router: "r1", Service: "default/demo", NextHops: nodes},
				scenarios.RouteVia{Router: "r2", Service: "default/demo", NextHops: nodes}}})
	})

	It("sends each router exactly the Services its advertisement's serviceSelectors choose, and moves a relabelled one", func() {
		ads := `
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: {name: to-r1}
spec:
  ipAddressPools: [lab-vips]
  peers: [r1]
  communities: ["64512:100"]
  localPref: 150
  serviceSelectors: [{matchLabels: {exposure: r1}}]
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: {name: to-r2}
spec:
  ipAddressPools: [lab-vips]
  peers: [r2]
  communities: ["64512:200"]
  serviceSelectors: [{matchExpressions: [{key: exposure, operator: In, values: [r2, both]}]}]
`
		await(l, scenarios.Step{Name: "two labelled Services", Within: 60 * time.Second,
			Do:     scenarios.Action{Apply: labelledService("gold", "r1") + "---\n" + labelledService("silver", "r2")},
			Expect: []scenarios.Expectation{scenarios.HasIP{Service: "default/gold"}, scenarios.HasIP{Service: "default/silver"}}})
		await(l, scenarios.Step{Name: "lab-vips deleted", Within: 30 * time.Second,
			Do:     scenarios.Action{Delete: labVipsAdvertisement},
			Expect: []scenarios.Expectation{scenarios.NoRoute{Router: "r1", Service: "default/gold"}, scenarios.NoRoute{Router: "r2", Service: "default/silver"}}})
		await(l, scenarios.Step{Name: "selective advertisements", Within: 30 * time.Second,
			Do: scenarios.Action{Apply: ads},
			Expect: []scenarios.Expectation{
				scenarios.RouteVia{Router: "r1", Service: "default/gold", NextHops: nodes, Communities: []string{"64512:100"}, Without: []string{"64512:200"}, LocalPref: scenarios.Pref(150)},
				scenarios.NoRoute{Router: "r1", Service: "default/silver"},
				scenarios.RouteVia{Router: "r2", Service: "default/silver", NextHops: nodes, Communities: []string{"64512:200"}, Without: []string{"64512:100"}},
				scenarios.NoRoute{Router: "r2", Service: "default/gold"},
				// demo carries no label: no advertisement selects it any more.
				scenarios.NoRoute{Router: "r1", Service: "default/demo"},
				scenarios.NoRoute{Router: "r2", Service: "default/demo"},
			}})
		await(l, scenarios.Step{Name: "gold relabelled for r2", Within: 30 * time.Second,
			Do: scenarios.Action{Apply: labelledService("gold", "r2")},
			Expect: []scenarios.Expectation{
				scenarios.NoRoute{Router: "r1", Service: "default/gold"},
				scenarios.RouteVia{Router: "r2", Service: "default/gold", NextHops: nodes, Communities: []string{"64512:200"}, Without: []string{"64512:100"}},
				scenarios.RouteVia{Router: "r2", Service: "default/silver", NextHops: nodes},
			}})
		await(l, scenarios.Step{Name: "gold labelled for both: OR across the selectors", Within: 30 * time.Second,
			Do: scenarios.Action{Apply: labelledService("gold", "both")},
			Expect: []scenarios.Expectation{
				scenarios.NoRoute{Router: "r1", Service: "default/gold"},
				scenarios.RouteVia{Router: "r2", Service: "default/gold", NextHops: nodes, Communities: []string{"64512:200"}},
			}})
		await(l, scenarios.Step{Name: "selective advertisements deleted", Within: 30 * time.Second,
			Do:     scenarios.Action{Delete: ads},
			Expect: []scenarios.Expectation{scenarios.NoRoute{Router: "r2", Service: "default/gold"}}})
		await(l, scenarios.Step{Name: "lab-vips back", Within: 30 * time.Second,
			Do: scenarios.Action{Apply: labVipsAdvertisement},
			Expect: []scenarios.Expectation{scenarios.RouteVia{Router: "r1", Service: "default/demo", NextHops: nodes},
				scenarios.RouteVia{Router: "r2", Service: "default/gold", NextHops: nodes, Without: []string{"64512:200"}}}})
	})

	It("accepts only the right kind of AS with dynamicASN, and says why it refuses", func() {
		// r1 shares the speakers' AS 64512, r2 is AS 64600.
		setDynamic(l, "r1", "internal")
		setDynamic(l, "r2", "external")
		Eventually(func() []string { return establishedTo(l, "r1") }).WithTimeout(90 * time.Second).WithPolling(time.Second).Should(ConsistOf(nodes))
		Eventually(func() []string { return establishedTo(l, "r2") }).WithTimeout(90 * time.Second).WithPolling(time.Second).Should(ConsistOf(nodes))
		await(l, scenarios.Step{Name: "routes over dynamic sessions", Within: 30 * time.Second,
			Expect: []scenarios.Expectation{scenarios.RouteVia{Router: "r1", Service: "default/demo", NextHops: nodes},
				scenarios.RouteVia{Router: "r2", Service: "default/demo", NextHops: nodes}}})

		setDynamic(l, "r1", "external") // r1's AS is ours: refused
		setDynamic(l, "r2", "internal") // r2's AS is not ours: refused
		lastError := func(peer, node string) string {
			if st := peerStatus(l, peer, node); st != nil {
				return st.LastError
			}
			return ""
		}
		for _, n := range nodes {
			Eventually(func() string { return lastError("r1", n) }).WithTimeout(60 * time.Second).WithPolling(time.Second).
				Should(ContainSubstring("dynamicASN external accepts any AS but ours (64512)"))
			Eventually(func() string { return lastError("r2", n) }).WithTimeout(60 * time.Second).WithPolling(time.Second).
				Should(ContainSubstring("dynamicASN internal accepts only our AS 64512, the router sent AS 64600"))
		}
		Consistently(func() []string { return append(establishedTo(l, "r1"), establishedTo(l, "r2")...) }).
			WithTimeout(10 * time.Second).WithPolling(500 * time.Millisecond).Should(BeEmpty())

		setDynamic(l, "r1", "") // back to peerASN
		setDynamic(l, "r2", "")
		Eventually(func() []string { return append(establishedTo(l, "r1"), establishedTo(l, "r2")...) }).
			WithTimeout(90 * time.Second).WithPolling(time.Second).Should(HaveLen(4))
	})

	It("skips an advertisement's unknown pool and peer, warns, and picks them up when they appear", func() {
		later := `
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: {name: later}
spec:
  ipAddressPools: [pool-later]
  peers: [r1, r9]
  communities: ["64512:300"]
`
		pool := `
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: pool-later}
spec:
  addresses: [198.18.0.240/28]
  autoAssign: false
`
		// The lab's routers accept the lab's VIP range only: make room in it.
		narrowed := `
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: lab-vips}
spec:
  addresses: [198.18.0.0/25]
  avoidBuggyIPs: true
`
		await(l, scenarios.Step{Name: "lab-vips narrowed to 198.18.0.0/25", Within: 30 * time.Second,
			Do:     scenarios.Action{Apply: narrowed},
			Expect: []scenarios.Expectation{scenarios.RouteVia{Router: "r1", Service: "default/demo", NextHops: nodes}}})
		await(l, scenarios.Step{Name: "an advertisement naming what does not exist", Within: 30 * time.Second, Hold: 3 * time.Second,
			Do:     scenarios.Action{Apply: later},
			Expect: []scenarios.Expectation{scenarios.RouteVia{Router: "r1", Service: "default/demo", NextHops: nodes}}})
		Eventually(func() string { return configResult(l) }).WithTimeout(20 * time.Second).Should(HavePrefix("Valid"))
		Eventually(func() []string { return findings(l) }).WithTimeout(20 * time.Second).Should(
			And(ContainElement(ContainSubstring(`adv-pool-missing: IPAddressPool "pool-later" does not exist`)),
				ContainElement(ContainSubstring(`adv-peer-missing: BGPPeer "r9" does not exist`))))
		Eventually(func() bool { return hasEvent(l, "later", "MissingReference") }).WithTimeout(20 * time.Second).Should(BeTrue())

		await(l, scenarios.Step{Name: "the pool appears, with a Service from it", Within: 60 * time.Second,
			Do: scenarios.Action{Apply: pool + "---\n" + labelledServiceFrom("late", "none", "pool-later")},
			Expect: []scenarios.Expectation{scenarios.HasIP{Service: "default/late"},
				scenarios.RouteVia{Router: "r1", Service: "default/late", NextHops: nodes, Communities: []string{"64512:300"}},
				scenarios.NoRoute{Router: "r2", Service: "default/late"}}})
		Eventually(func() []string { return findings(l) }).WithTimeout(20 * time.Second).ShouldNot(
			ContainElement(ContainSubstring("adv-pool-missing")))
	})
})

const labVipsAdvertisement = `
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: {name: lab-vips}
spec:
  ipAddressPools: [lab-vips]
`

// labelledService is a Cluster Service with backends on n1 and n2, labelled
// exposure=<exposure>.
func labelledService(name, exposure string) string { return labelledServiceFrom(name, exposure, "") }

func labelledServiceFrom(name, exposure, pool string) string {
	ann := ""
	if pool != "" {
		ann = fmt.Sprintf("    metallb.io/address-pool: %s\n", pool)
	}
	return fmt.Sprintf(`apiVersion: v1
kind: Service
metadata:
  name: %s
  namespace: default
  labels: {exposure: %s}
  annotations:
    lab.bgplb.io/backends: "n1,n2"
%sspec:
  type: LoadBalancer
  externalTrafficPolicy: Cluster
  ports: [{name: http, port: 80, protocol: TCP}]
`, name, exposure, ann)
}

// setDynamic switches a lab BGPPeer to dynamicASN mode ("" restores its peerASN,
// the router's AS in this lab).
func setDynamic(l *runner.Lab, peer, mode string) {
	GinkgoHelper()
	asn := map[string]uint32{"r1": 64512, "r2": 64600}
	Eventually(func() error {
		var p v1beta2.BGPPeer
		if err := l.Client.Get(context.Background(), key(model.Namespace, peer), &p); err != nil {
			return err
		}
		p.Spec.DynamicASN = v1beta2.DynamicASNMode(mode)
		p.Spec.ASN = 0
		if mode == "" {
			p.Spec.ASN = asn[peer]
		}
		return l.Client.Update(context.Background(), &p)
	}).WithTimeout(10 * time.Second).Should(Succeed())
}

// hasEvent reports whether an event with reason names the object.
func hasEvent(l *runner.Lab, name, reason string) bool {
	var evs corev1.EventList
	if err := l.Client.List(context.Background(), &evs, client.InNamespace(model.Namespace)); err != nil {
		return false
	}
	for _, e := range evs.Items {
		if e.InvolvedObject.Name == name && e.Reason == reason {
			return true
		}
	}
	return false
}
