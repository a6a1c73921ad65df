package suites

import (
	"context"
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/bgplb/bgplb/api/v1beta2"
	"github.com/bgplb/bgplb/topologies/model"

	"github.com/bgplb/bgplb/scenarios"
	"github.com/bgplb/bgplb/scenarios/runner"
)

// single-router: one FRR router (ECMP over 2 paths) and nodes n1, n2. Which nodes
// announce a Service, checked at the router, as MetalLB decides it.
var _ = Describe("service placement", Ordered, Label("feature:etp-local", "feature:nodeselector", "feature:aggregation",
	"feature:sharing", "feature:config-churn", "feature:peer-nodeselector", "feature:graceful-restart", "feature:apiserver-outage", "feature:controller-restart", "router:frr", "backend:netns", "speed:fast"), func() {
	var l *runner.Lab
	via := func(svc string, nodes ...string) scenarios.Expectation {
		return scenarios.RouteVia{Router: "r1", Service: svc, NextHops: nodes}
	}
	step := func(name string, do scenarios.Action, es ...scenarios.Expectation) {
		GinkgoHelper()
		await(l, scenarios.Step{Name: name, Do: do, Within: 30 * time.Second, Expect: es})
	}
	apply := func(yaml string) scenarios.Action { return scenarios.Action{Apply: yaml} }

	BeforeAll(func() {
		l = upLab("single-router")
		step("demo (Cluster) announced by both nodes", scenarios.Action{}, scenarios.HasIP{Service: "default/demo"}, via("default/demo", "n1", "n2"))
	})

	It("announces an externalTrafficPolicy Local Service only from nodes with a ready backend", func() {
		step("Local Service with its backend on n1", apply(service("local", "Local", "n1", "")), via("default/local", "n1"))
		step("backend moves to n2", scenarios.Action{Backends: &scenarios.Backends{Service: "default/local", Nodes: []string{"n2"}}},
			via("default/local", "n2"))
		step("no backend: withdrawn everywhere", scenarios.Action{Backends: &scenarios.Backends{Service: "default/local", Nodes: nil}},
			scenarios.NoRoute{Router: "r1", Service: "default/local"})
		step("Cluster Service is still announced by both", scenarios.Action{}, via("default/demo", "n1", "n2"))
	})

	It("stops announcing from a node labelled exclude-from-external-load-balancers, and resumes", func() {
		const label = "node.kubernetes.io/exclude-from-external-load-balancers"
		step("label n2", scenarios.Action{Label: &scenarios.NodeLabel{Node: "n2", Key: label, Value: "true"}}, via("default/demo", "n1"))
		step("unlabel n2", scenarios.Action{Label: &scenarios.NodeLabel{Node: "n2", Key: label}}, via("default/demo", "n1", "n2"))
	})

	It("honours an advertisement's nodeSelectors", func() {
		step("only n1 advertises lab-vips", apply(`
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: {name: lab-vips}
spec:
  ipAddressPools: [lab-vips]
  nodeSelectors:
  - matchLabels: {kubernetes.io/hostname: n1}
`), via("default/demo", "n1"))
		step("every node again", apply(`
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: {name: lab-vips}
spec:
  ipAddressPools: [lab-vips]
  nodeSelectors: []
`), via("default/demo", "n1", "n2"))
	})

	It("runs a BGPPeer only on the nodes its nodeSelectors pick", func() {
		peer := func(selectors string) string {
			return `
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: {name: r1}
spec:
  nodeSelectors: ` + selectors + "\n"
		}
		step("r1 peers with n1 only", apply(peer(`[{matchLabels: {kubernetes.io/hostname: n1}}]`)),
			scenarios.SessionIs{Router: "r1", Neighbor: "n1", State: "Established"}, via("default/demo", "n1"))
		Expect(establishedTo(l, "r1")).To(Equal([]string{"n1"}), "n2 still peers with r1")
		step("every node again", apply(peer(`[]`)),
			scenarios.SessionIs{Router: "r1", Neighbor: "n2", State: "Established"}, via("default/demo", "n1", "n2"))
	})

	It("announces an aggregate with aggregationLength", func() {
		agg := `
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: {name: aggregate}
spec:
  ipAddressPools: [lab-vips]
  aggregationLength: 24
`
		step("aggregate /24 beside the /32", apply(agg),
			scenarios.RouteVia{Router: "r1", Service: "default/demo", Length: 24, NextHops: []string{"n1", "n2"}}, via("default/demo", "n1", "n2"))
		step("aggregate withdrawn with its advertisement", scenarios.Action{Delete: agg}, via("default/demo", "n1", "n2"))
		v, _, err := l.View(context.Background())
		Expect(err).NotTo(HaveOccurred())
		Expect(scenarios.RouteVia{Router: "r1", Service: "default/demo", Length: 24}.Check(v)).To(HaveOccurred(), "the /24 is still at r1")
	})

	It("gives Services sharing a key one IP and announces it", func() {
		step("two Services, one key, different ports", apply(service("share-a", "Cluster", "n1", "web")+"---\n"+
			serviceOn("share-b", "Cluster", "n1", "web", 8080)), scenarios.HasIP{Service: "default/share-a"}, scenarios.HasIP{Service: "default/share-b"},
			via("default/share-a", "n1", "n2"))
		v, _, err := l.View(context.Background())
		Expect(err).NotTo(HaveOccurred())
		Expect(v.Services["default/share-b"]).To(Equal(v.Services["default/share-a"]), "allow-shared-ip with the same key")
	})

	It("keeps announcing while the apiserver is unreachable, and carries on after", func() {
		prefix := serviceIP(l, "default/demo")
		fib, err := l.OpenFIB(context.Background(), "r1")
		Expect(err).NotTo(HaveOccurred())
		defer fib.Close()
		Expect(l.Do(context.Background(), scenarios.Action{ControlPlane: "freeze"})).To(Succeed())
		thawed := false
		DeferCleanup(func() {
			if !thawed {
				_ = l.Do(context.Background(), scenarios.Action{ControlPlane: "thaw"})
			}
		})
		// The lab's status needs the API for Service IPs: read the router's kernel.
		Consistently(func() (int, error) { return fib.NextHops(prefix) }).WithTimeout(20*time.Second).WithPolling(200*time.Millisecond).
			Should(Equal(2), "r1 lost next hops while only the API was away")
		Expect(l.Do(context.Background(), scenarios.Action{ControlPlane: "thaw"})).To(Succeed())
		thawed = true
		step("a change after the outage is applied", scenarios.Action{Label: &scenarios.NodeLabel{Node: "n2",
			Key: "node.kubernetes.io/exclude-from-external-load-balancers", Value: "true"}}, via("default/demo", "n1"))
		step("and undone", scenarios.Action{Label: &scenarios.NodeLabel{Node: "n2",
			Key: "node.kubernetes.io/exclude-from-external-load-balancers"}}, via("default/demo", "n1", "n2"))
	})

	It("keeps every Service's IP and route through a controller restart", func() {
		before, _, err := l.View(context.Background())
		Expect(err).NotTo(HaveOccurred())
		routes := []scenarios.Expectation{via("default/demo", "n1", "n2"), via("default/share-a", "n1", "n2")}
		await(l, scenarios.Step{Name: "restart the controller", Do: scenarios.Action{Restart: &scenarios.Restart{Process: "controller"}},
			Within: 30 * time.Second, Hold: 10 * time.Second, Expect: routes})
		after, _, err := l.View(context.Background())
		Expect(err).NotTo(HaveOccurred())
		for svc, ips := range before.Services {
			Expect(after.Services[svc]).To(Equal(ips), "%s changed IP across the restart", svc)
		}
		step("the restarted controller allocates again", apply(service("after-restart", "Cluster", "n1", "")),
			scenarios.HasIP{Service: "default/after-restart"}, via("default/after-restart", "n1", "n2"))
	})

	It("keeps the routes at the router through a graceful restart of a speaker", func() {
		ctx := context.Background()
		// enableGracefulRestart cannot change on a live peer: recreate r1's with it.
		var peer v1beta2.BGPPeer
		Expect(l.Client.Get(ctx, key(model.Namespace, "r1"), &peer)).To(Succeed())
		Expect(l.Client.Delete(ctx, &peer)).To(Succeed())
		fresh := &v1beta2.BGPPeer{ObjectMeta: metav1.ObjectMeta{Name: "r1", Namespace: model.Namespace}, Spec: peer.Spec}
		fresh.Spec.EnableGracefulRestart = true
		Eventually(func() error { return l.Client.Create(ctx, fresh) }).WithTimeout(10 * time.Second).Should(Succeed())
		step("sessions back with graceful restart", scenarios.Action{},
			scenarios.SessionIs{Router: "r1", Neighbor: "n1", State: "Established"}, via("default/demo", "n1", "n2"))

		prefix := serviceIP(l, "default/demo")
		fib, err := l.OpenFIB(ctx, "r1")
		Expect(err).NotTo(HaveOccurred())
		defer fib.Close()
		// The step above read r1's RIB; its kernel may install the route a moment
		// later (a CI rehearsal once sampled 0 next hops here). Start from the FIB.
		_, err = fib.WaitNextHops(ctx, prefix, func(n int) bool { return n == 2 }, 10*time.Second)
		Expect(err).NotTo(HaveOccurred(), "r1's kernel before the restart")
		type low struct {
			n  int
			at time.Duration // since the sampler started
		}
		least := make(chan low)
		stop := make(chan struct{})
		begin := time.Now()
		go func() { // the fewest next hops r1's kernel had at any moment of the restart
			lo := low{n: 99}
			for {
				select {
				case <-stop:
					least <- lo
					return
				case <-time.After(20 * time.Millisecond):
				}
				if n, err := fib.NextHops(prefix); err == nil && n < lo.n {
					lo = low{n, time.Since(begin)}
				}
			}
		}()
		restart := time.Since(begin)
		step("restart n1's speaker", scenarios.Action{Restart: &scenarios.Restart{Process: "speaker", Node: "n1"}},
			scenarios.SessionIs{Router: "r1", Neighbor: "n1", State: "Established"})
		time.Sleep(2 * time.Second)
		close(stop)
		lo := <-least
		Expect(lo.n).To(Equal(2), "r1's kernel lost n1's next hop during the restart (%d next hops at +%s; restart at +%s): traffic to it was dropped",
			lo.n, lo.at.Round(time.Millisecond), restart.Round(time.Millisecond))
	})

	It("absorbs 50 successive configuration edits without resetting a session", func() {
		before := sessionUptime(l, "r1", "n1")
		start := time.Now()
		for i := 1; i <= 50; i++ {
			Expect(l.Apply(context.Background(), fmt.Sprintf(`
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: {name: churn}
spec:
  ipAddressPools: [lab-vips]
  communities: ["64512:%d"]
`, i))).To(Succeed())
		}
		step("last edit in force", scenarios.Action{},
			scenarios.RouteVia{Router: "r1", Service: "default/demo", Communities: []string{"64512:50"}, Without: []string{"64512:49"}})
		Expect(sessionUptime(l, "r1", "n1")).To(BeNumerically(">=", before+time.Since(start)-2*time.Second),
			"r1's session with n1 was reset during the edits")
	})
})

// service is a LoadBalancer Service on port 80 with lab backends.
func service(name, policy, backends, shareKey string) string {
	return serviceOn(name, policy, backends, shareKey, 80)
}

func serviceOn(name, policy, backends, shareKey string, port int) string {
	ann := fmt.Sprintf("    lab.bgplb.io/backends: %q\n", backends)
	if shareKey != "" {
		ann += fmt.Sprintf("    metallb.io/allow-shared-ip: %q\n", shareKey)
	}
	return fmt.Sprintf(`apiVersion: v1
kind: Service
metadata:
  name: %s
  namespace: default
  annotations:
%sspec:
  type: LoadBalancer
  externalTrafficPolicy: %s
  ports: [{name: http, port: %d, protocol: TCP}]
`, name, ann, policy, port)
}

// sessionUptime is how long router's session with node has been up (0 if not).
func sessionUptime(l *runner.Lab, router, node string) time.Duration {
	GinkgoHelper()
	st, err := l.Status(context.Background())
	Expect(err).NotTo(HaveOccurred())
	for _, s := range st.Sessions {
		if s.Router == router && s.Neighbor == node && s.State == "Established" {
			return s.Uptime
		}
	}
	return 0
}
