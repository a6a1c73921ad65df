package suites

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/bgplb/bgplb/scenarios"
	"github.com/bgplb/bgplb/scenarios/runner"
	"github.com/bgplb/bgplb/topologies/backend"
)

// Primary and backup by LOCAL_PREF, where it works: over iBGP. The guide sets
// localPref toward eBGP peers, where it never leaves the speaker; here the
// speakers share r1's AS, so n1's advertisement (200) beats n2's and n3's (100)
// at r1 and the backups carry traffic only while n1 is gone.
const primaryBackupManifests = `
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: {name: lab-vips}
spec:
  ipAddressPools: [lab-vips]
  nodeSelectors: [{matchLabels: {kubernetes.io/hostname: n1}}]
  localPref: 200
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: {name: backup}
spec:
  ipAddressPools: [lab-vips]
  nodeSelectors: [{matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [n2, n3]}]}]
  localPref: 100
`

var _ = Describe("primary/backup by LOCAL_PREF over iBGP", Ordered, Label("feature:localpref", "feature:failover", "router:frr", "backend:netns", "speed:fast"), func() {
	const demo = "default/demo"
	all := []string{"n1", "n2", "n3"}
	var (
		l   *runner.Lab
		rec *runner.Recorder
		fib *runner.FIB
	)
	timings := map[string]time.Duration{}
	primary := []scenarios.Expectation{scenarios.RouteVia{Router: "r1", Service: demo, NextHops: []string{"n1"}, LocalPref: scenarios.Pref(200)}}
	backup := []scenarios.Expectation{scenarios.RouteVia{Router: "r1", Service: demo, NextHops: []string{"n2", "n3"}, LocalPref: scenarios.Pref(100)}}

	BeforeAll(func() {
		l = upLab("testdata/ibgp.yaml")
		await(l, scenarios.Step{Name: "backends on every node, ECMP over all three", Within: 60 * time.Second,
			Do:     scenarios.Action{Backends: &scenarios.Backends{Service: demo, Nodes: all}},
			Expect: []scenarios.Expectation{scenarios.RouteVia{Router: "r1", Service: demo, NextHops: all}}})
		var err error
		fib, err = l.OpenFIB(context.Background(), "r1")
		Expect(err).NotTo(HaveOccurred())
		rec, err = l.StartRecording(context.Background(), scenarios.Scenario{Name: "ibgp-primary-backup", Topology: "ibgp", Service: demo}, []string{"c1"})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() { fib.Close(); finish(rec, timings) })
	})

	It("sends each node's LOCAL_PREF to its iBGP peer, so r1 uses the primary alone", func() {
		took := run(rec, scenarios.Step{Name: "primary n1 at 200, backups n2 n3 at 100", Do: scenarios.Action{Apply: primaryBackupManifests},
			Within: 30 * time.Second, Expect: primary})
		timings["advertisements applied -> r1 on primary n1 only"] = took
		Expect(fib.NextHops(serviceIP(l, demo))).To(Equal(1), "r1's kernel uses one next hop, not ECMP")
		s := l.Requests(context.Background(), "c1", serviceIP(l, demo).Addr().String(), 20)
		Expect(s.Failed).To(BeZero(), "%+v", s)
		Expect(s.Nodes()).To(Equal([]string{"n1"}), "the backups must carry nothing while the primary is up")
		// iBGP carries LOCAL_PREF: nothing to warn about. The controller may report
		// a moment after the speakers act, so the absence must last.
		Eventually(func() string { return configResult(l) }).WithTimeout(20 * time.Second).Should(HavePrefix("Valid"))
		Consistently(func() []string { return findings(l) }).WithTimeout(3 * time.Second).
			ShouldNot(ContainElement(ContainSubstring("adv-localpref-ebgp")))
	})

	It("fails over to the backups when the primary dies, and back when it returns", func() {
		prefix := serviceIP(l, demo)
		start := time.Now()
		run(rec, scenarios.Step{Name: "n1's link down", Do: linkFault(backend.FaultLinkDown, "lan", "n1")})
		at, err := fib.WaitNextHops(context.Background(), prefix, func(n int) bool { return n == 2 }, 20*time.Second)
		Expect(err).NotTo(HaveOccurred())
		timings["primary n1 down -> r1 FIB on backups n2 n3 (BFD 100ms x3)"] = at.Sub(start)
		Expect(at.Sub(start)).To(BeNumerically("<", 3*time.Second), "BFD should move r1 long before the 9 s hold timer")
		run(rec, scenarios.Step{Name: "r1 on the backups", Within: 10 * time.Second, Expect: backup})
		s := l.Requests(context.Background(), "c1", prefix.Addr().String(), 20)
		Expect(s.Failed).To(BeZero(), "%+v", s)
		Expect(s.Nodes()).To(ConsistOf("n2", "n3"))

		took := run(rec, scenarios.Step{Name: "n1's link up", Do: linkFault(backend.FaultLinkUp, "lan", "n1"), Within: 60 * time.Second, Expect: primary})
		timings["primary n1 back -> r1 on n1 only again"] = took
		Eventually(func() []string { return l.Requests(context.Background(), "c1", prefix.Addr().String(), 10).Nodes() }).
			WithTimeout(10 * time.Second).Should(Equal([]string{"n1"}))
	})
})
