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

// two-dc: the guide's multi-router picture. Three nodes peer with four routers
// (FRR r1, r2 in dc1; BIRD r3 and FRR-emulated VyOS r4 in dc2) with BFD 300 ms x3;
// one client per DC. The lab's service plane stands in for kube-proxy: with
// externalTrafficPolicy Cluster every node announces and answers.
var _ = Describe("multi-DC failover", Ordered, Label("feature:failover", "router:frr", "router:bird", "backend:netns", "speed:fast"), func() {
	const demo = "default/demo"
	all := []string{"n1", "n2", "n3"}
	frrRouters := []string{"r1", "r2", "r4"} // BIRD reports its best path only; its kernel FIB is checked instead
	var (
		l    *runner.Lab
		rec  *runner.Recorder
		fibs map[string]*runner.FIB
		ip   string
	)
	timings := map[string]time.Duration{}

	via := func(nodes []string) []scenarios.Expectation {
		var es []scenarios.Expectation
		for _, r := range frrRouters {
			es = append(es, scenarios.RouteVia{Router: r, Service: demo, NextHops: nodes})
		}
		return append(es, scenarios.RouteVia{Router: "r3", Service: demo})
	}
	// fibHops waits until every router's kernel has n next hops toward the Service.
	fibHops := func(n int, limit time.Duration) {
		GinkgoHelper()
		prefix := serviceIP(l, demo)
		for name, f := range fibs {
			_, err := f.WaitNextHops(context.Background(), prefix, func(got int) bool { return got == n }, limit)
			Expect(err).NotTo(HaveOccurred(), "%s's kernel FIB", name)
		}
	}
	served := func(client string) runner.Served {
		return l.Requests(context.Background(), client, ip, 20)
	}

	BeforeAll(func() {
		l = upLab("two-dc")
		await(l, scenarios.Step{Name: "demo has an IP", Within: 60 * time.Second, Expect: []scenarios.Expectation{scenarios.HasIP{Service: demo}}})
		await(l, scenarios.Step{Name: "backends on every node, announced by all to all routers", Within: 60 * time.Second,
			Do:     scenarios.Action{Backends: &scenarios.Backends{Service: demo, Nodes: all}},
			Expect: via(all)})
		// Our BFD is up with every router: FRR's bfdd on r1, r2, r4 and BIRD's on r3.
		var bfdUp []scenarios.Expectation
		for _, r := range []string{"r1", "r2", "r3", "r4"} {
			for _, n := range all {
				bfdUp = append(bfdUp, scenarios.BFDIs{Router: r, PeerNode: n, State: "up"})
			}
		}
		await(l, scenarios.Step{Name: "BFD up on FRR and BIRD", Within: 30 * time.Second, Expect: bfdUp})
		ip = serviceIP(l, demo).Addr().String()
		fibs = map[string]*runner.FIB{}
		for _, r := range []string{"r1", "r2", "r3", "r4"} {
			f, err := l.OpenFIB(context.Background(), r)
			Expect(err).NotTo(HaveOccurred())
			fibs[r] = f
		}
		fibHops(3, 30*time.Second)
		var err error
		rec, err = l.StartRecording(context.Background(), scenarios.Scenario{Name: "multi-dc-failover", Topology: "two-dc", Service: demo}, []string{"c1", "c2"})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() {
			for _, f := range fibs {
				f.Close()
			}
			finish(rec, timings)
		})
	})

	It("serves both clients, spread over the nodes by ECMP", func() {
		for _, c := range []string{"c1", "c2"} {
			s := served(c)
			Expect(s.Failed).To(BeZero(), "%s: %+v", c, s)
			Expect(len(s.Nodes())).To(BeNumerically(">=", 2), "%s served only by %v: ECMP should spread flows", c, s.Nodes())
		}
	})

	It("drops a dead node's next hop at every router within BFD detection, and keeps serving", func() {
		prefix := serviceIP(l, demo)
		start := time.Now()
		run(rec, scenarios.Step{Name: "n1's fabric link down", Do: linkFault(backend.FaultLinkDown, "fabric", "n1")})
		gone, err := fibs["r1"].WaitNextHops(context.Background(), prefix, func(n int) bool { return n == 2 }, 20*time.Second)
		Expect(err).NotTo(HaveOccurred())
		timings["node n1 down -> r1 FIB drops its next hop (BFD 300ms x3)"] = gone.Sub(start)
		// Detection is 0.9 s; the speakers' 90 s hold timer would take far longer.
		Expect(gone.Sub(start)).To(BeNumerically("<", 3*time.Second))
		fibHops(2, 10*time.Second)
		timings["node n1 down -> every router's FIB at 2 next hops"] = time.Since(start)
		run(rec, scenarios.Step{Name: "n1 gone from every router", Within: 10 * time.Second, Expect: via([]string{"n2", "n3"})})
		for _, c := range []string{"c1", "c2"} {
			s := served(c)
			Expect(s.Failed).To(BeZero(), "%s after failover: %+v", c, s)
			Expect(s.Nodes()).NotTo(ContainElement("n1"))
		}
	})

	It("takes the node back when it returns", func() {
		took := run(rec, scenarios.Step{Name: "n1's fabric link up", Do: linkFault(backend.FaultLinkUp, "fabric", "n1"),
			Within: 90 * time.Second, Expect: via(all)})
		timings["node n1 back -> every router via n1 again"] = took
		fibHops(3, 10*time.Second)
	})

	It("keeps serving dc2's client from n3 when dc1 is cut off, and heals", func() {
		start := time.Now()
		run(rec, scenarios.Step{Name: "partition dc1", Do: fault(backend.FaultPartition, "dc1", "")})
		_, err := fibs["r3"].WaitNextHops(context.Background(), serviceIP(l, demo), func(n int) bool { return n == 1 }, 20*time.Second)
		Expect(err).NotTo(HaveOccurred())
		timings["dc1 partitioned -> r3 (dc2) FIB via n3 only"] = time.Since(start)
		run(rec, scenarios.Step{Name: "dc2 routes via n3 only", Within: 10 * time.Second,
			Expect: []scenarios.Expectation{scenarios.RouteVia{Router: "r4", Service: demo, NextHops: []string{"n3"}}}})
		s := served("c2")
		Expect(s.Failed).To(BeZero(), "c2 during the partition: %+v", s)
		Expect(s.Nodes()).To(Equal([]string{"n3"}))

		took := run(rec, scenarios.Step{Name: "heal dc1", Do: fault(backend.FaultHeal, "dc1", ""), Within: 90 * time.Second, Expect: via(all)})
		timings["dc1 healed -> every router via all nodes"] = took
		// Return traffic between the DCs rides the router-router sessions the
		// partition broke; BIRD (r3) re-admits its eBGP peer only after its own
		// error wait (60 s by default), so traffic is checked once they are back.
		var inter []scenarios.Expectation
		for _, s := range [][2]string{{"r1", "r2"}, {"r1", "r3"}, {"r2", "r4"}, {"r3", "r4"}, {"r3", "r1"}, {"r4", "r2"}} {
			inter = append(inter, scenarios.SessionIs{Router: s[0], Neighbor: s[1], State: "Established"})
		}
		took = run(rec, scenarios.Step{Name: "router-router sessions back", Within: 150 * time.Second, Expect: inter})
		timings["dc1 healed -> router-router sessions Established (BIRD error wait)"] = took
		// Paths shift once more as those sessions return: traffic must settle within
		// seconds (failures meanwhile are counted in the clients' total).
		for _, c := range []string{"c1", "c2"} {
			Eventually(func() int { return served(c).Failed }).WithTimeout(30*time.Second).WithPolling(time.Second).
				Should(BeZero(), "%s after heal", c)
		}
	})
})
