package k8s_test

import (
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/controller/k8s"
)

// A BGPAdvertisement naming a pool and a peer that do not exist does not wedge the
// configuration (MetalLB skips unknown names): it stays Valid, says so in its
// findings and in a MissingReference event on the advertisement, and a pool created
// afterwards is served at once.
func TestIntegrationControllerDanglingNames(t *testing.T) {
	e := newEnv(t)
	e.pool("web", "192.0.2.0/29")
	e.controller(k8s.Options{})
	e.waitConfigResult(v1beta1.ConfigurationStateValid)

	e.create(&v1beta1.BGPAdvertisement{ObjectMeta: metav1.ObjectMeta{Namespace: e.ns, Name: "later"},
		Spec: v1beta1.BGPAdvertisementSpec{IPAddressPools: []string{"later"}, Peers: []string{"r9"}}})
	e.g.Eventually(func() []v1beta1.ConfigurationFinding {
		return e.configState().Status.Findings
	}).WithTimeout(10 * time.Second).Should(ContainElement(And(HaveField("Code", "adv-pool-missing"), HaveField("Severity", "warning"))))
	e.g.Expect(e.configState().Status.Result).To(Equal(v1beta1.ConfigurationStateValid))
	e.g.Eventually(func() []string { return e.events(e.ns, "BGPAdvertisement", "later") }).
		WithTimeout(10 * time.Second).Should(ContainElement(ContainSubstring("Warning MissingReference")))

	e.pool("later", "192.0.2.8/29")
	e.service("from-later", func(s *corev1.Service) { s.Annotations = map[string]string{"metallb.io/address-pool": "later"} })
	e.g.Expect(e.waitIPs("from-later", 1)).To(Equal([]string{"192.0.2.8"}))
	e.g.Eventually(func() []v1beta1.ConfigurationFinding {
		return e.configState().Status.Findings
	}).WithTimeout(10 * time.Second).ShouldNot(ContainElement(HaveField("Code", "adv-pool-missing")))
}
