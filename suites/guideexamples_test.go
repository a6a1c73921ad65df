package suites

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/bgplb/bgplb/scenarios"
	"github.com/bgplb/bgplb/scenarios/runner"
	"github.com/bgplb/bgplb/topologies/backend"
)

// The guide's single-DC examples on the guide topology, which has the guide's own
// (documentation-mapped) addresses: each directory of examples/guide/ is applied
// as it is, byte for byte, after the previous one is deleted, and what it does is
// read off the routers, with the guide's mistakes and their warnings. The
// Deployments apply but run nothing (the lab has no kubelet); the lab's service
// plane stands in for their pods once a spec names the nodes.
var _ = Describe("the guide's examples, unchanged, on the guide's addresses", Ordered, Label("feature:guide", "feature:community", "feature:aggregation", "feature:nodeselector", "feature:md5", "router:frr", "router:bird", "backend:netns", "speed:fast"), func() {
	const demo, nginx = "default/demo", "default/nginx-lb"
	all := []string{"n1", "n2", "n3"}
	var (
		l       *runner.Lab
		applied string // the example in force
	)

	BeforeAll(func() {
		// The guide topology comes up with the guide's primary/backup example.
		l = upLab("guide")
		applied = example("primary-backup")
		await(l, scenarios.Step{Name: "lab up, demo on every node", Within: 60 * time.Second,
			Do:     scenarios.Action{Backends: &scenarios.Backends{Service: demo, Nodes: all}},
			Expect: []scenarios.Expectation{scenarios.RouteVia{Router: "r1", Service: demo, NextHops: all}}})
	})

	// dropApplied deletes the example in force, if any.
	dropApplied := func() {
		GinkgoHelper()
		if applied != "" {
			await(l, scenarios.Step{Name: "previous example deleted", Do: scenarios.Action{Delete: applied}, Within: 60 * time.Second,
				Expect: []scenarios.Expectation{scenarios.NoRoute{Router: "r1", Service: demo}}})
			applied = ""
		}
	}
	// use replaces the example in force with examples/guide/<dir>/ and waits for
	// expect. The first expectation should need the new example's objects: routes
	// of the old one can linger a moment at the routers.
	use := func(dir string, expect ...scenarios.Expectation) time.Duration {
		GinkgoHelper()
		dropApplied()
		applied = example(dir)
		return await(l, scenarios.Step{Name: "examples/guide/" + dir, Do: scenarios.Action{Apply: applied}, Within: 90 * time.Second, Expect: expect})
	}
	served := func(svc string, nodes ...string) {
		GinkgoHelper()
		s := l.Requests(context.Background(), "c1", serviceIP(l, svc).Addr().String(), 20)
		Expect(s.Failed).To(BeZero(), "c1 -> %s: %+v", svc, s)
		if nodes != nil {
			Expect(s.Nodes()).To(ConsistOf(nodes), "nodes that served c1's requests to %s", svc)
		}
	}

	It("basic: the /32 to router-primary alone, the /27 aggregate to every peer, the deprecated annotation read", func() {
		use("basic", scenarios.HasIP{Service: nginx})
		await(l, scenarios.Step{Name: "nginx-lb's backends on every node", Within: 60 * time.Second,
			Do: scenarios.Action{Backends: &scenarios.Backends{Service: nginx, Nodes: all}},
			Expect: []scenarios.Expectation{
				scenarios.RouteVia{Router: "r1", Service: nginx, NextHops: all, Length: 32},
				scenarios.RouteVia{Router: "r1", Service: nginx, NextHops: all, Length: 27},
				// router-primary (192.0.2.1) is the only BGPPeer: r2 hears of both
				// prefixes from r1 alone, and so does the upstream r3.
				scenarios.RouteVia{Router: "r2", Service: nginx, NextHops: []string{"r1"}, Length: 32},
				scenarios.RouteVia{Router: "r2", Service: nginx, NextHops: []string{"r1"}, Length: 27},
				scenarios.RouteVia{Router: "r3", Service: nginx, Length: 27},
			}})
		ip := serviceIP(l, nginx).Addr()
		Expect(netip.MustParsePrefix("198.51.100.0/24").Contains(ip)).To(BeTrue(), "production-pool, as the annotation asks: %s", ip)
		Expect(ip.As4()[3]).NotTo(BeElementOf(byte(0), byte(255)), "avoidBuggyIPs")
		served(nginx, all...)
		Eventually(func() []string { return events(l, nginx) }).WithTimeout(20 * time.Second).Should(
			ContainElement(ContainSubstring("deprecatedAnnotation: Service uses deprecated annotation metallb.universe.tf/address-pool")))
		Eventually(func() []string { return findings(l) }).WithTimeout(20 * time.Second).Should(
			ContainElement(ContainSubstring("adv-localpref-ebgp")))
	})

	It("multi-pool: the annotated Service from production-pool, the rest from development-pool", func() {
		use("multi-pool", scenarios.HasIP{Service: nginx},
			scenarios.RouteVia{Router: "r1", Service: demo, NextHops: all})
		await(l, scenarios.Step{Name: "nginx-lb's backends on every node", Within: 60 * time.Second,
			Do:     scenarios.Action{Backends: &scenarios.Backends{Service: nginx, Nodes: all}},
			Expect: []scenarios.Expectation{scenarios.RouteVia{Router: "r1", Service: nginx, NextHops: all}}})
		Expect(netip.MustParsePrefix("198.51.100.0/25").Contains(serviceIP(l, nginx).Addr())).To(BeTrue(),
			"nginx-lb asks for production-pool (autoAssign: false): %s", serviceIP(l, nginx))
		Expect(netip.MustParsePrefix("198.51.100.128/25").Contains(serviceIP(l, demo).Addr())).To(BeTrue(),
			"demo asks for nothing, so development-pool (autoAssign: true): %s", serviceIP(l, demo))
		served(nginx)
		served(demo)
	})

	It("node-selector: the peer's selectors are ORed, whatever the guide's comment says", func() {
		// Only n1 has node-role.kubernetes.io/network; no lab node has the
		// kubernetes.io/os label a kubelet would set.
		use("node-selector", scenarios.RouteVia{Router: "r1", Service: demo, NextHops: []string{"n1"}})
		served(demo, "n1")
		// The guide says "Only nodes matching ALL selectors": n2 now matches one.
		osLinux := func(v string) scenarios.Action {
			return scenarios.Action{Label: &scenarios.NodeLabel{Node: "n2", Key: "kubernetes.io/os", Value: v}}
		}
		await(l, scenarios.Step{Name: "n2 labelled kubernetes.io/os=linux", Do: osLinux("linux"), Within: 60 * time.Second,
			Expect: []scenarios.Expectation{scenarios.RouteVia{Router: "r1", Service: demo, NextHops: []string{"n1", "n2"}}}})
		await(l, scenarios.Step{Name: "label removed", Do: osLinux(""), Within: 60 * time.Second,
			Expect: []scenarios.Expectation{scenarios.RouteVia{Router: "r1", Service: demo, NextHops: []string{"n1"}}}})
	})

	It("communities: the Community resources' values reach r1, and no-export keeps the route from the upstream", func() {
		// The advertisement names Community resources; bgplb sends every value
		// they hold (and warns). r1 maps 64512:100 to LOCAL_PREF 200: the
		// guide's localPref 150 never leaves the speaker toward an eBGP peer.
		use("communities",
			scenarios.RouteVia{Router: "r1", Service: demo, NextHops: all,
				Communities: []string{"64512:100", "64512:200", "noExport"}, LocalPref: scenarios.Pref(200)},
			scenarios.RouteVia{Router: "r2", Service: demo, NextHops: []string{"r1"}, LocalPref: scenarios.Pref(200)})
		// Give the upstream time to have heard of it, if it were going to.
		await(l, scenarios.Step{Name: "r3 never gets it", Within: 10 * time.Second, Hold: 3 * time.Second,
			Expect: []scenarios.Expectation{scenarios.NoRoute{Router: "r3", Service: demo}}})
		served(demo, all...)
		Eventually(func() []string { return findings(l) }).WithTimeout(20 * time.Second).Should(And(
			ContainElement(ContainSubstring("names a Community resource")),
			ContainElement(ContainSubstring("adv-localpref-ebgp"))))
	})

	It("primary-backup: the communities carry the guide's intent at the routers, and no-advertise hides the backup", func() {
		// r1 (router-primary) gets 64512:100 -> 200; r2 (router-backup) gets
		// 64512:50 -> 100 and prefers r1's path over iBGP.
		primary := []scenarios.Expectation{
			scenarios.RouteVia{Router: "r1", Service: demo, NextHops: all, Communities: []string{"64512:100"}, LocalPref: scenarios.Pref(200)},
			scenarios.RouteVia{Router: "r2", Service: demo, NextHops: []string{"r1"}, LocalPref: scenarios.Pref(200)},
			scenarios.RouteVia{Router: "r3", Service: demo},
		}
		use("primary-backup", primary...)
		served(demo, all...)
		// r1 loses the fabric: r2 falls back to its own paths, but no-advertise
		// (the guide's backup-community) keeps it from telling r1 or the upstream:
		// the backup carries only what enters through r2.
		run := func(name string, do scenarios.Action, expect ...scenarios.Expectation) time.Duration {
			return await(l, scenarios.Step{Name: name, Do: do, Within: 120 * time.Second, Expect: expect})
		}
		run("r1's fabric link down", linkFault(backend.FaultLinkDown, "fabric", "r1"),
			scenarios.RouteVia{Router: "r2", Service: demo, NextHops: all, Communities: []string{"64512:50", "noAdvertise"}, LocalPref: scenarios.Pref(100)},
			scenarios.NoRoute{Router: "r1", Service: demo},
			scenarios.NoRoute{Router: "r3", Service: demo})
		took := run("r1's fabric link up", linkFault(backend.FaultLinkUp, "fabric", "r1"), primary...)
		GinkgoWriter.Printf("back on the primary %s after r1's link came up (90 s hold timers, no BFD)\n", took.Round(time.Millisecond))
		Eventually(func() []string { return findings(l) }).WithTimeout(20 * time.Second).Should(
			ContainElement(ContainSubstring("adv-localpref-ebgp")))
	})

	It("authenticated: the Secret named in password is resolved, and r1's MD5 sessions come up", func() {
		// The guide's FRR side: the same password on r1 for every node.
		ctx := context.Background()
		st, err := l.Status(ctx)
		Expect(err).NotTo(HaveOccurred())
		cmds := []string{"configure terminal", "router bgp 64512"}
		for _, s := range st.Sessions {
			if s.Router == "r1" && strings.HasPrefix(s.Neighbor, "n") {
				cmds = append(cmds, "neighbor "+s.Address+" password your-secure-password")
			}
		}
		Expect(cmds).To(HaveLen(2 + len(all)))
		dropApplied() // before r1 wants a password the previous example's peer lacks
		_, err = vtysh(ctx, l, "r1", cmds...)
		Expect(err).NotTo(HaveOccurred())
		use("authenticated", scenarios.RouteVia{Router: "r1", Service: demo, NextHops: all})
		Expect(establishedTo(l, "r1")).To(ConsistOf(all))
		Eventually(func() []string { return findings(l) }).WithTimeout(20 * time.Second).Should(And(
			ContainElement(ContainSubstring("peer-password-names-secret")),
			ContainElement(ContainSubstring("peer-password-secret-opaque"))))
		Expect(configResult(l)).To(HavePrefix("Valid"))
	})
})

// example is examples/guide/<dir>/ as it is: its files joined into one stream.
func example(dir string) string {
	GinkgoHelper()
	files, err := filepath.Glob(filepath.Join(repo, "examples", "guide", dir, "*.yaml"))
	Expect(err).NotTo(HaveOccurred())
	Expect(files).NotTo(BeEmpty(), "examples/guide/%s", dir)
	var docs []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		Expect(err).NotTo(HaveOccurred())
		docs = append(docs, string(data))
	}
	return strings.Join(docs, "\n---\n")
}

// events are the Service's events, as "Reason: message".
func events(l *runner.Lab, service string) []string {
	ns, name, _ := strings.Cut(service, "/")
	var list corev1.EventList
	if err := l.Client.List(context.Background(), &list, client.InNamespace(ns)); err != nil {
		return []string{"error: " + err.Error()}
	}
	var out []string
	for _, e := range list.Items {
		if e.InvolvedObject.Kind == "Service" && e.InvolvedObject.Name == name {
			out = append(out, e.Reason+": "+e.Message)
		}
	}
	return out
}
