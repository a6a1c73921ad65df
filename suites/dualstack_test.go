package suites

import (
	"context"
	"net/netip"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/bgplb/bgplb/scenarios"
)

// testdata/dual-stack.yaml: single-router with IPv6 beside IPv4 — a v4 and a v6
// session per node, a v4 and a v6 VIP range in the lab's pool.
var _ = Describe("dual-stack", Ordered, Label("feature:ipv6", "router:frr", "backend:netns", "speed:fast"), func() {
	It("gives a RequireDualStack Service one address of each family and announces both over their own sessions", func() {
		l := upLab("testdata/dual-stack.yaml")
		await(l, scenarios.Step{Name: "dual-stack Service", Within: 60 * time.Second, Do: scenarios.Action{Apply: `
apiVersion: v1
kind: Service
metadata:
  name: dual
  namespace: default
  annotations: {lab.bgplb.io/backends: "n1,n2"}
spec:
  type: LoadBalancer
  ipFamilyPolicy: RequireDualStack
  ipFamilies: [IPv4, IPv6]
  ports: [{name: http, port: 80, protocol: TCP}]
`}, Expect: []scenarios.Expectation{
			scenarios.RouteVia{Router: "r1", Service: "default/dual", NextHops: []string{"n1", "n2"}},
			scenarios.RouteVia{Router: "r1", Service: "default/dual", IPv6: true, NextHops: []string{"n1", "n2"}},
		}})
		v, _, err := l.View(context.Background())
		Expect(err).NotTo(HaveOccurred())
		fams := map[bool]string{}
		for _, s := range v.Services["default/dual"] {
			a := netip.MustParseAddr(s)
			fams[a.Is6()] = s
		}
		Expect(fams).To(HaveLen(2), "one IPv4 and one IPv6 address: %v", v.Services["default/dual"])
		for _, ip := range fams {
			s := l.Requests(context.Background(), "c1", ip, 10)
			Expect(s.Failed).To(BeZero(), "c1 to %s: %+v", ip, s)
		}
		// Deleted: the IPv6 route leaves r1's kernel (the Service's IPs are gone from
		// the lab's view with it, so the kernel is where to look).
		fib, err := l.OpenFIB(context.Background(), "r1")
		Expect(err).NotTo(HaveOccurred())
		defer fib.Close()
		v6 := netip.PrefixFrom(netip.MustParseAddr(fams[true]), 128)
		Expect(fib.NextHops(v6)).To(Equal(2))
		Expect(l.Delete(context.Background(), "apiVersion: v1\nkind: Service\nmetadata: {name: dual, namespace: default}\n")).To(Succeed())
		_, err = fib.WaitNextHops(context.Background(), v6, func(n int) bool { return n == 0 }, 30*time.Second)
		Expect(err).NotTo(HaveOccurred(), "the IPv6 route outlived its Service")
	})
})
