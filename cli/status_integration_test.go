package cli

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
	"github.com/bgplb/bgplb/cli/status"
	"github.com/bgplb/bgplb/speaker/routes"
)

const productNS = "metallb-system"

func productMeta(name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: productNS}
}

// statusCluster is three nodes (n3 excluded from load balancing), routers tor (all
// nodes, BFD) and tor-b (n1 only), one pool announced to both, Service web on
// 198.51.100.10 with its endpoint on n1 and Service pending without an address.
func statusCluster(t *testing.T, ctx context.Context, tc *testCluster) {
	hostname := func(n string) map[string]string { return map[string]string{"kubernetes.io/hostname": n} }
	n3 := hostname("n3")
	n3[routes.LabelExcludeBalancers] = ""
	torB := v1beta2.BGPPeer{ObjectMeta: productMeta("tor-b"), Spec: v1beta2.BGPPeerSpec{MyASN: 64513, ASN: 64512, Address: "192.0.2.2",
		NodeSelectors: []metav1.LabelSelector{{MatchLabels: hostname("n1")}}}}
	tc.create(t, ctx, namespace(productNS), node("n1", hostname("n1")), node("n2", hostname("n2")), node("n3", n3),
		&v1beta1.IPAddressPool{ObjectMeta: productMeta("pool"), Spec: v1beta1.IPAddressPoolSpec{Addresses: []string{"198.51.100.0/24"}}},
		&v1beta1.BFDProfile{ObjectMeta: productMeta("fast")},
		&v1beta2.BGPPeer{ObjectMeta: productMeta("tor"), Spec: v1beta2.BGPPeerSpec{MyASN: 64513, ASN: 64512, Address: "192.0.2.1", BFDProfile: "fast"}},
		&torB,
		&v1beta1.BGPAdvertisement{ObjectMeta: productMeta("all"), Spec: v1beta1.BGPAdvertisementSpec{Communities: []string{"64512:100"}}})
	tc.loadBalancer(t, ctx, "web", "198.51.100.10", "pool")
	tc.endpoints(t, ctx, "web", "n1")
	tc.loadBalancer(t, ctx, "pending", "", "")
	tc.peerStatus(t, ctx, productNS, "tor", v1beta2.BGPPeerNodeStatus{Node: "n1", Session: "Established", BFD: "Up", Since: since(2 * time.Hour), AdvertisedPrefixes: 1})
	tc.peerStatus(t, ctx, productNS, "tor", v1beta2.BGPPeerNodeStatus{Node: "n2", Session: "Active", Since: since(time.Minute), LastError: "dial tcp 192.0.2.1:179: connection refused"})
	cs := &v1beta1.ConfigurationState{ObjectMeta: productMeta("controller")}
	tc.create(t, ctx, cs)
	cs.Status = v1beta1.ConfigurationStateStatus{Result: v1beta1.ConfigurationStateValid, InForce: "pools=pool"}
	if err := tc.c.Status().Update(ctx, cs); err != nil {
		t.Fatal(err)
	}
}

func TestIntegrationStatus(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	tc := startCluster(t, ctx)
	statusCluster(t, ctx, tc)

	code, out, errOut := runCLI(t, "", "status", "--kubeconfig", tc.cp.Kubeconfig(), "-o", "json")
	if code != ExitOK {
		t.Fatalf("status -o json: exit %d\n%s", code, errOut)
	}
	var r status.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	checkStatusConfig(t, r)
	checkStatusSessions(t, r)
	checkStatusServices(t, r)

	// Without --kubeconfig, kubectl's rules: $KUBECONFIG.
	t.Setenv("KUBECONFIG", tc.cp.Kubeconfig())
	code, table, errOut := runCLI(t, "", "status")
	if code != ExitOK {
		t.Fatalf("status: exit %d\n%s", code, errOut)
	}
	t.Logf("bgplb status:\n%s", table)
	for _, want := range []string{"CONFIGURATION (metallb-system): valid", "controller", "Established", "dial tcp 192.0.2.1:179: connection refused",
		"n3 (nodeLabeledExcludeBalancers)", "default/web", "no: nodeLabeledExcludeBalancers", "default/pending", "no: noIPAllocated"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q", want)
		}
	}
}

func checkStatusConfig(t *testing.T, r status.Report) {
	t.Helper()
	c := r.Configuration
	if !c.Valid || len(c.Components) != 1 || c.Components[0].Name != "controller" || c.Components[0].Result != "Valid" {
		t.Errorf("configuration %+v, want valid with the controller's Valid state", c)
	}
}

func checkStatusSessions(t *testing.T, r status.Report) {
	t.Helper()
	got := map[string]status.Session{}
	for _, n := range r.Nodes {
		for _, s := range n.Sessions {
			got[n.Name+"/"+s.Peer] = s
		}
	}
	if s := got["n1/tor"]; s.State != "Established" || s.BFD != "Up" || s.UptimeSeconds < 7200 || s.AdvertisedPrefixes != 1 || s.DesiredPrefixes != 1 {
		t.Errorf("n1/tor %+v, want Established 2h, BFD Up, 1/1 prefixes", s)
	}
	if s := got["n2/tor"]; s.State != "Active" || s.UptimeSeconds != 0 || !strings.Contains(s.LastError, "connection refused") {
		t.Errorf("n2/tor %+v, want Active with its error", s)
	}
	if s := got["n1/tor-b"]; !s.Runs || s.State != "" || s.DesiredPrefixes != 1 {
		t.Errorf("n1/tor-b %+v, want run, not reported, 1 desired", s)
	}
	if s := got["n2/tor-b"]; s.Runs || s.Reason != routes.ReasonPeerNodeSelector {
		t.Errorf("n2/tor-b %+v, want not run: peerNodeSelector", s)
	}
	if len(r.Nodes) != 3 || r.Nodes[2].Reason != routes.ReasonNodeExcluded {
		t.Errorf("nodes %+v, want n3 excluded", r.Nodes)
	}
}

func checkStatusServices(t *testing.T, r status.Report) {
	t.Helper()
	svcs := map[string]status.Service{}
	for _, s := range r.Services {
		svcs[s.Name] = s
	}
	web := svcs["default/web"]
	if web.Pool != "pool" || !slices.Equal(web.IPs, []string{"198.51.100.10"}) {
		t.Errorf("web %+v, want 198.51.100.10 from pool", web)
	}
	if got := decisionKeys(web.Announced); !slices.Equal(got, []string{"n1/tor/announced", "n1/tor-b/announced", "n2/tor/announced"}) {
		t.Errorf("web announced %v", got)
	}
	if got := decisionKeys(web.NotAnnounced); !slices.Equal(got, []string{"n2/tor-b/peerNodeSelector", "n3//nodeLabeledExcludeBalancers"}) {
		t.Errorf("web not announced %v", got)
	}
	if got := decisionKeys(svcs["default/pending"].NotAnnounced); !slices.Equal(got, []string{"n1//noIPAllocated", "n2//noIPAllocated", "n3//noIPAllocated"}) {
		t.Errorf("pending not announced %v", got)
	}
}

func decisionKeys(ds []status.Decision) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, d.Node+"/"+d.Peer+"/"+d.Reason)
	}
	return out
}
