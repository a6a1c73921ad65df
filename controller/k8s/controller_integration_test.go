package k8s_test

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/controller/k8s"
)

func TestIntegrationControllerAllocates(t *testing.T) {
	e := newEnv(t)
	e.pool("web", "192.0.2.0/29")
	e.controller(k8s.Options{})
	cs := e.waitConfigResult(v1beta1.ConfigurationStateValid)
	e.g.Expect(cs.Labels).To(HaveKeyWithValue("metallb.io/component-type", "controller"))
	e.g.Expect(cs.Status.InForce).To(ContainSubstring("1 pools"))

	e.service("a")
	e.g.Expect(e.waitIPs("a", 1)).To(Equal([]string{"192.0.2.0"}))
	e.waitPool("a", "web")
	e.waitEvent("a", `Normal IPAllocated: Assigned IP ["192.0.2.0"] from pool web`)

	// Legacy annotation: honoured, with a deprecation event.
	e.service("legacy", func(s *corev1.Service) { s.Annotations["metallb.universe.tf/loadBalancerIPs"] = "192.0.2.5" })
	e.g.Expect(e.waitIPs("legacy", 1)).To(Equal([]string{"192.0.2.5"}))
	e.waitEvent("legacy", "Warning deprecatedAnnotation: Service uses deprecated annotation metallb.universe.tf/loadBalancerIPs")

	// Pool status follows (rate-limited writer).
	e.g.Eventually(func() v1beta1.IPAddressPoolStatus {
		var p v1beta1.IPAddressPool
		e.g.Expect(e.c.Get(context.Background(), types.NamespacedName{Namespace: e.ns, Name: "web"}, &p)).To(Succeed())
		return p.Status
	}).WithTimeout(10 * time.Second).Should(Equal(v1beta1.IPAddressPoolStatus{AssignedIPv4: 2, AvailableIPv4: 6}))

	// Metrics are served from controller-runtime's registry.
	mfs, err := ctrlmetrics.Registry.Gather()
	e.g.Expect(err).NotTo(HaveOccurred())
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.Metric {
			if strings.HasPrefix(mf.GetName(), "metallb_") {
				got[mf.GetName()] = m.GetGauge().GetValue()
			}
		}
	}
	e.g.Expect(got).To(HaveKeyWithValue(k8s.MetricAddressesTotal, 8.0))
	e.g.Expect(got).To(HaveKeyWithValue(k8s.MetricAddressesInUse, 2.0))
	e.g.Expect(got).To(HaveKeyWithValue(k8s.MetricConfigLoaded, 1.0))
	e.g.Expect(got).To(HaveKeyWithValue(k8s.MetricConfigStale, 0.0))

	// Type change: status and annotation cleared, ClearAssignment, address freed.
	s := e.get("a")
	s.Spec.Type = corev1.ServiceTypeClusterIP
	s.Spec.Ports[0].NodePort = 0
	e.g.Expect(e.c.Update(context.Background(), s)).To(Succeed())
	e.g.Eventually(func() []string { return ingress(e.get("a")) }).WithTimeout(20 * time.Second).Should(BeEmpty())
	e.g.Eventually(func() map[string]string { return e.get("a").Annotations }).WithTimeout(20 * time.Second).
		ShouldNot(HaveKey("metallb.io/ip-allocated-from-pool"))
	e.waitEvent("a", "Normal ClearAssignment")

	// The freed address is handed out again; delete releases too.
	e.service("b")
	e.g.Expect(e.waitIPs("b", 1)).To(Equal([]string{"192.0.2.0"}))
	e.deleteService("b")
	e.service("c")
	e.g.Expect(e.waitIPs("c", 1)).To(Equal([]string{"192.0.2.0"}))
}

func TestIntegrationControllerPoolShrink(t *testing.T) {
	e := newEnv(t)
	e.pool("shrink", "198.51.100.0/30")
	e.controller(k8s.Options{})
	for i, name := range []string{"s0", "s1", "s2"} {
		e.service(name)
		e.g.Expect(e.waitIPs(name, 1)).To(Equal([]string{"198.51.100." + string(rune('0'+i))}))
	}
	e.setPoolAddresses("shrink", "198.51.100.0/31", "198.51.100.8/30")
	e.g.Eventually(func() []string { return ingress(e.get("s2")) }).WithTimeout(20 * time.Second).
		Should(Equal([]string{"198.51.100.8"}))
	e.waitEvent("s2", `/s2" not allowed by config, will attempt for new IP assignment`)
	e.waitEvent("s2", `IPAllocated: Assigned IP ["198.51.100.8"] from pool shrink`)
	e.g.Expect(ingress(e.get("s0"))).To(Equal([]string{"198.51.100.0"}))
	e.g.Expect(ingress(e.get("s1"))).To(Equal([]string{"198.51.100.1"}))
}

func TestIntegrationControllerSharing(t *testing.T) {
	e := newEnv(t)
	e.pool("shared", "203.0.113.0/29")
	e.controller(k8s.Options{})
	share := func(port int32) func(*corev1.Service) {
		return func(s *corev1.Service) {
			s.Annotations["metallb.io/allow-shared-ip"] = "frontend"
			s.Spec.Ports[0].Port = port
		}
	}
	e.service("http", share(80))
	e.service("https", share(443))
	a, b := e.waitIPs("http", 1), e.waitIPs("https", 1)
	e.g.Expect(a).To(Equal(b), "same sharing key, different ports: one IP")
	// Same key but a clashing port: no sharing, another address.
	e.service("http2", share(80))
	e.g.Expect(e.waitIPs("http2", 1)).NotTo(Equal(a))
}

func TestIntegrationControllerDualStack(t *testing.T) {
	e := newEnv(t)
	e.pool("dual", "203.0.113.16/28", "2001:db8:1::/120")
	e.controller(k8s.Options{})
	require := corev1.IPFamilyPolicyRequireDualStack
	e.service("ds", func(s *corev1.Service) { s.Spec.IPFamilyPolicy = &require })
	ips := e.waitIPs("ds", 2)
	a, b := netip.MustParseAddr(ips[0]), netip.MustParseAddr(ips[1])
	e.g.Expect(a.Is4() != b.Is4()).To(BeTrue(), "one IPv4 and one IPv6: %v", ips)
	e.waitPool("ds", "dual")
}

func TestIntegrationControllerLBClass(t *testing.T) {
	e := newEnv(t)
	e.pool("cls", "192.0.2.64/29")
	other := "example.com/other"
	stop := e.controller(k8s.Options{})
	e.service("foreign", func(s *corev1.Service) { s.Spec.LoadBalancerClass = &other })
	e.service("plain")
	e.waitIPs("plain", 1)
	time.Sleep(time.Second) // both were queued together; give the foreign one its chance
	e.g.Expect(ingress(e.get("foreign"))).To(BeEmpty(), "a Service of another class is not ours")
	e.g.Expect(e.svcEvents("foreign")).To(BeEmpty())
	stop()

	// With --lb-class the roles swap; the plain Service keeps what it has (no one
	// else may release it), and the class Service gets an address.
	e.controller(k8s.Options{LBClass: other})
	e.waitIPs("foreign", 1)
	e.g.Expect(e.waitIPs("plain", 1)).To(HaveLen(1))
}

func TestIntegrationControllerRestartNoChurn(t *testing.T) {
	e := newEnv(t)
	e.pool("steady", "198.51.100.32/27")
	stop := e.controller(k8s.Options{})
	for i := range 12 {
		e.service("r" + string(rune('a'+i)))
	}
	for i := range 12 {
		e.waitIPs("r"+string(rune('a'+i)), 1)
		e.waitPool("r"+string(rune('a'+i)), "steady")
	}
	before := e.snapshotServices()
	stop()

	// Restart with nothing new: not one write to any Service.
	stop = e.controller(k8s.Options{})
	e.waitConfigResult(v1beta1.ConfigurationStateValid)
	time.Sleep(2 * time.Second)
	e.g.Expect(e.snapshotServices()).To(Equal(before), "a restart rewrote a Service")
	stop()

	// Restart with a newcomer created while the controller was down and the lowest
	// addresses all taken: the start-up pass must restore every address before the
	// newcomer is served, so it gets a free one and nobody moves.
	e.service("newcomer")
	e.controller(k8s.Options{})
	got := e.waitIPs("newcomer", 1)[0]
	after := e.snapshotServices()
	delete(after, "newcomer")
	e.g.Expect(after).To(Equal(before))
	for _, v := range before {
		e.g.Expect(v).NotTo(HavePrefix(got+"|"), "newcomer took an address in use")
	}
}

func TestIntegrationControllerPoisonedConfig(t *testing.T) {
	e := newEnv(t)
	e.pool("good", "203.0.113.64/29")
	e.controller(k8s.Options{})
	e.service("kept")
	kept := e.waitIPs("kept", 1)

	e.pool("bad", "203.0.113.64/30") // overlaps "good"
	cs := e.waitConfigResult(v1beta1.ConfigurationStateInvalid)
	e.g.Expect(cs.Status.ErrorSummary).To(ContainSubstring("IPAddressPool/"))
	e.g.Expect(cs.Status.ErrorSummary).To(ContainSubstring("last valid configuration stays in force"))
	e.g.Expect(cs.Status.InForce).To(ContainSubstring("1 pools"))
	e.g.Expect(cs.Status.Findings).To(ContainElement(And(
		HaveField("Severity", "error"), HaveField("Kind", "IPAddressPool"))))
	e.g.Eventually(func() []string {
		return append(e.events(e.ns, "IPAddressPool", "bad"), e.events(e.ns, "IPAddressPool", "good")...)
	}).WithTimeout(10 * time.Second).Should(ContainElement(ContainSubstring("Warning InvalidConfiguration")))

	// The last good config still serves: existing IP intact, a newcomer gets one.
	e.g.Expect(ingress(e.get("kept"))).To(Equal(kept))
	e.service("fresh")
	ip := netip.MustParseAddr(e.waitIPs("fresh", 1)[0])
	e.g.Expect(netip.MustParsePrefix("203.0.113.64/29").Contains(ip)).To(BeTrue())

	e.g.Expect(e.c.Delete(context.Background(), &v1beta1.IPAddressPool{ObjectMeta: metaName(e.ns, "bad")})).To(Succeed())
	e.waitConfigResult(v1beta1.ConfigurationStateValid)
	e.g.Expect(ingress(e.get("kept"))).To(Equal(kept))
}

// TestIntegrationControllerIdempotent re-runs every reconciler with nothing to do and
// proves that no status, annotation, event or ConfigurationState changes.
func TestIntegrationControllerIdempotent(t *testing.T) {
	e := newEnv(t)
	e.pool("idem", "192.0.2.128/28")
	e.controller(k8s.Options{})
	names := []string{"i0", "i1", "i2", "i3"}
	for _, n := range names {
		e.service(n)
	}
	for _, n := range names {
		e.waitIPs(n, 1)
		e.waitPool(n, "idem")
	}
	cs := e.waitConfigResult(v1beta1.ConfigurationStateValid)
	time.Sleep(time.Second)
	var events []string
	for _, n := range names {
		events = append(events, e.svcEvents(n)...)
	}
	before := e.snapshotServices()

	// Second pass: a label on every Service re-runs the Service reconciler, a label
	// on the product namespace re-runs the config reconciler.
	for _, n := range names {
		s := e.get(n)
		s.Labels = map[string]string{"touched": "yes"}
		e.g.Expect(e.c.Update(context.Background(), s)).To(Succeed())
	}
	var ns corev1.Namespace
	e.g.Expect(e.c.Get(context.Background(), types.NamespacedName{Name: e.ns}, &ns)).To(Succeed())
	ns.Labels["touched"] = "yes"
	e.g.Expect(e.c.Update(context.Background(), &ns)).To(Succeed())
	touched := e.snapshotServices()
	time.Sleep(2 * time.Second)

	e.g.Expect(e.snapshotServices()).To(Equal(touched), "the second pass wrote to a Service")
	for name, v := range touched {
		e.g.Expect(strings.SplitN(v, "|", 3)[:2]).To(Equal(strings.SplitN(before[name], "|", 3)[:2]))
	}
	var again []string
	for _, n := range names {
		again = append(again, e.svcEvents(n)...)
	}
	e.g.Expect(again).To(Equal(events), "the second pass emitted events")
	e.g.Expect(e.configState().ResourceVersion).To(Equal(cs.ResourceVersion), "ConfigurationState rewritten")
}

func TestIntegrationControllerLeaderElection(t *testing.T) {
	e := newEnv(t)
	e.pool("le", "198.51.100.64/29")
	stopA := e.controller(k8s.Options{LeaderElect: true})
	e.service("first")
	e.waitIPs("first", 1)
	stopB := e.controller(k8s.Options{LeaderElect: true})
	defer stopB()
	var lease coordinationLease
	e.g.Eventually(func() error {
		return e.c.Get(context.Background(), types.NamespacedName{Namespace: e.ns, Name: k8s.LeaseName}, &lease)
	}).
		WithTimeout(10 * time.Second).Should(Succeed())
	e.g.Expect(lease.Spec.HolderIdentity).NotTo(BeNil())
	holder := *lease.Spec.HolderIdentity
	stopA() // releases the Lease on the way out; B takes over
	e.service("second")
	e.g.Expect(e.waitIPs("second", 1)).NotTo(Equal(ingress(e.get("first"))))
	e.g.Expect(e.c.Get(context.Background(), types.NamespacedName{Namespace: e.ns, Name: k8s.LeaseName}, &lease)).To(Succeed())
	e.g.Expect(*lease.Spec.HolderIdentity).NotTo(Equal(holder))
}
