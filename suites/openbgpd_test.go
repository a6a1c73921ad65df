package suites

import (
	"context"
	"net/netip"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/bgplb/bgplb/scenarios"
)

// topologies/openbgpd.yaml: two nodes' speakers peer with one OpenBGPD router over TCP
// MD5. OpenBGPD does not install routes into the kernel here, so the spec reads its RIB.
var _ = Describe("OpenBGPD router", Ordered, Label("feature:router-kinds", "feature:md5", "router:openbgpd", "backend:netns", "speed:fast"), func() {
	It("peers with every speaker and holds each Service's route via the nodes that announce it", func() {
		l := upLab("openbgpd")
		await(l, scenarios.Step{Name: "sessions and the demo Service", Within: 30 * time.Second, Expect: []scenarios.Expectation{
			scenarios.SessionIs{Router: "r1", Neighbor: "n1", State: "Established"},
			scenarios.SessionIs{Router: "r1", Neighbor: "n2", State: "Established"},
			scenarios.RouteVia{Router: "r1", Service: "default/demo", NextHops: []string{"n1", "n2"}},
		}})
		await(l, scenarios.Step{Name: "a second Service, on n2 alone", Within: 30 * time.Second, Do: scenarios.Action{Apply: `
apiVersion: v1
kind: Service
metadata:
  name: local
  namespace: default
  annotations: {lab.bgplb.io/backends: "n2"}
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  ports: [{name: http, port: 80, protocol: TCP}]
`}, Expect: []scenarios.Expectation{
			scenarios.RouteVia{Router: "r1", Service: "default/local", NextHops: []string{"n2"}},
		}})
		// Deleted, its route leaves OpenBGPD's RIB (the Service, and so its address, leaves
		// the lab's view with it: look for the address recorded before).
		ip := serviceIP(l, "default/local")
		Expect(l.Delete(context.Background(), "apiVersion: v1\nkind: Service\nmetadata: {name: local, namespace: default}\n")).To(Succeed())
		Eventually(func() []netip.Prefix {
			v, _, err := l.View(context.Background())
			Expect(err).NotTo(HaveOccurred())
			var left []netip.Prefix
			for _, r := range v.Routes {
				if r.Router == "r1" && r.Prefix.Contains(ip.Addr()) && r.Prefix.Bits() == ip.Bits() {
					left = append(left, r.Prefix)
				}
			}
			return left
		}, 30*time.Second, 500*time.Millisecond).Should(BeEmpty(), "r1 kept the deleted Service's route")
	})
})
