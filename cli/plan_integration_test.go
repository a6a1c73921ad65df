package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bgplb/bgplb/cli/plan"
)

// gentleChange adds a range to the pool and a community to the advertisement: the
// pending Service gets an address, every route is re-sent with the community, and
// nothing is withdrawn. The documents have no namespace: they land in the product's.
const gentleChange = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: pool}
spec: {addresses: [198.51.100.0/24, 203.0.113.0/28]}
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: {name: all}
spec: {communities: ["64512:200"]}
`

// disruptiveChange moves the pool to a range web's address is not in, and that hands
// out nothing by itself, and changes tor's hold time. It re-applies web's manifest
// too, which carries no status: web must still be seen holding its address.
const disruptiveChange = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: pool}
spec: {addresses: [203.0.113.0/24], autoAssign: false}
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: {name: tor}
spec: {myASN: 64513, peerASN: 64512, peerAddress: 192.0.2.1, bfdProfile: fast, holdTime: 30s}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default, labels: {tier: front}}
spec: {type: LoadBalancer, selector: {app: web}, ports: [{port: 80}]}
`

func TestIntegrationPlan(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	tc := startCluster(t, ctx)
	statusCluster(t, ctx, tc)
	dir := t.TempDir()
	file := func(name, content string) string { return writeFile(t, dir, name, content) }
	kube := []string{"plan", "--kubeconfig", tc.cp.Kubeconfig()}

	gentle := planJSON(t, ExitOK, append(kube, "-f", file("gentle.yaml", gentleChange))...)
	if gentle.Disruptive || len(gentle.Services) != 1 || gentle.Services[0].Service != "default/pending" || gentle.Services[0].Change != plan.ChangeGained {
		t.Errorf("gentle plan services %+v, want only default/pending gained", gentle.Services)
	} else if s := gentle.Services[0]; len(s.AnnouncedFrom) != 0 || !slices.Contains(s.NotAnnounced, "noEndpoints") {
		t.Errorf("pending announced from %v, not announced %v; want nowhere for noEndpoints", s.AnnouncedFrom, s.NotAnnounced)
	}
	// pending has no EndpointSlice, so its new address is not announced (noEndpoints).
	if got, want := routeLines(gentle), []string{"n1 tor changed 198.51.100.10/32", "n1 tor-b changed 198.51.100.10/32", "n2 tor changed 198.51.100.10/32"}; !slices.Equal(got, want) {
		t.Errorf("gentle plan routes\n got %v\nwant %v", got, want)
	}

	rough := planJSON(t, ExitDisruptive, append(kube, "-f", file("rough.yaml", disruptiveChange))...)
	if len(rough.Services) != 1 || rough.Services[0].Change != plan.ChangeLost || rough.Services[0].Service != "default/web" {
		t.Errorf("rough plan services %+v, want default/web lost", rough.Services)
	}
	want := []string{"n1 tor reset", "n1 tor withdrawn 198.51.100.10/32", "n1 tor-b withdrawn 198.51.100.10/32", "n2 tor reset", "n2 tor withdrawn 198.51.100.10/32",
		"n3 tor reset"} // n3 announces nothing (excluded) but runs the session
	if got := routeLines(rough); !slices.Equal(got, want) {
		t.Errorf("rough plan routes\n got %v\nwant %v", got, want)
	}

	code, text, _ := runCLI(t, "", append(kube, "-f", filepath.Join(dir, "gentle.yaml"))...)
	t.Logf("bgplb plan -f gentle.yaml (exit %d):\n%s", code, text)
	if code != ExitOK || !strings.Contains(text, "not disruptive: 0 address sets lost or changed, 0 prefixes withdrawn") {
		t.Errorf("gentle text plan exit %d:\n%s", code, text)
	}
	code, text, errOut := runCLI(t, "", append(kube, "-f", filepath.Join(dir, "rough.yaml"))...)
	t.Logf("bgplb plan -f rough.yaml (exit %d):\n%s%s", code, text, errOut)
	if code != ExitDisruptive || !strings.Contains(text, "DISRUPTIVE: 1 address set lost or changed, 3 prefixes withdrawn, 3 sessions reset or closed") {
		t.Errorf("text plan exit %d:\n%s", code, text)
	}
	code, text, _ = runCLI(t, "", append(kube, "-f", file("typo.yaml", strings.Replace(gentleChange, "addresses", "adresses", 1)))...)
	t.Logf("bgplb plan -f typo.yaml (exit %d):\n%s", code, text)
	if code != ExitFailure || !strings.Contains(text, "typo.yaml:1: error: IPAddressPool/pool spec.adresses") {
		t.Errorf("typo plan exit %d:\n%s", code, text)
	}
}

func planJSON(t *testing.T, wantCode int, args ...string) plan.Plan {
	t.Helper()
	code, out, errOut := runCLI(t, "", append(args, "-o", "json")...)
	if code != wantCode {
		t.Fatalf("%v: exit %d, want %d\n%s%s", args, code, wantCode, out, errOut)
	}
	var p plan.Plan
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if !p.Valid {
		t.Fatalf("plan invalid: %+v", p.Findings)
	}
	return p
}

// routeLines renders the node changes "node peer what [prefix]" in plan order.
func routeLines(p plan.Plan) []string {
	var out []string
	for _, n := range p.Nodes {
		for _, s := range n.Sessions {
			if s.Reset {
				out = append(out, n.Node+" "+s.Peer+" reset")
			}
		}
		for _, r := range n.Routes {
			for _, w := range r.Withdrawn {
				out = append(out, n.Node+" "+r.Peer+" withdrawn "+w)
			}
			for _, a := range r.Added {
				out = append(out, n.Node+" "+r.Peer+" added "+a.Prefix)
			}
			for _, c := range r.Changed {
				out = append(out, n.Node+" "+r.Peer+" changed "+c.Prefix)
			}
		}
	}
	return out
}
