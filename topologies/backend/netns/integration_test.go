package netns

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bgplb/bgplb/testing/labtest"
	"github.com/bgplb/bgplb/topologies/backend"
	"github.com/bgplb/bgplb/topologies/model"
)

// integrationBackend returns a real backend, or skips with the reason it cannot run here.
func integrationBackend(t *testing.T, kinds ...string) (*Backend, model.Capabilities) {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: skipped with -short")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to create network namespaces")
	}
	labtest.Serialize(t)
	b := New(Options{Root: t.TempDir(), Logger: slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))})
	p, err := b.Probe(context.Background())
	if err != nil {
		t.Skipf("netns backend unavailable: %v", err)
	}
	for _, k := range kinds {
		if !strings.Contains(strings.Join(p.Caps.Kinds, ","), k) {
			t.Skipf("kind %s unavailable: %s", k, strings.Join(p.Missing, "; "))
		}
	}
	return b, p.Caps
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// upLab resolves a topology, brings it up and registers Down and the leftovers check.
func upLab(t *testing.T, b *Backend, caps model.Capabilities, yaml []byte) *model.Lab {
	t.Helper()
	top, err := model.Parse(yaml)
	if err != nil {
		t.Fatal(err)
	}
	lab, err := model.Resolve(top, caps)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	t.Cleanup(func() {
		start := time.Now()
		if err := b.Down(ctx, lab.Name); err != nil {
			t.Errorf("Down: %v", err)
		}
		t.Logf("Down took %s", time.Since(start))
		assertGone(t, lab)
	})
	start := time.Now()
	if err := b.Up(ctx, lab, backend.UpOptions{Dir: filepath.Join(b.o.Root, lab.Name)}); err != nil {
		t.Fatalf("Up: %v", err)
	}
	t.Logf("Up took %s", time.Since(start))
	return lab
}

// assertGone checks nothing of the lab is left: namespaces, processes, FRR dirs, links.
func assertGone(t *testing.T, lab *model.Lab) {
	t.Helper()
	out, _ := exec.Command("ip", "netns", "list").Output()
	if strings.Contains(string(out), lab.Tag+"-") {
		t.Errorf("namespaces left after Down:\n%s", out)
	}
	links, _ := exec.Command("ip", "-o", "link", "show").Output()
	if strings.Contains(string(links), lab.Tag+"-") {
		t.Errorf("host links left after Down:\n%s", links)
	}
	for _, n := range lab.Nodes {
		inst := Namespace(lab.Name, n.Name)
		for _, d := range []string{"/etc/frr/" + inst, "/var/run/frr/" + inst} {
			if _, err := os.Stat(d); err == nil {
				t.Errorf("%s left after Down", d)
			}
		}
	}
	ps, _ := exec.Command("pgrep", "-af", lab.Tag+"-").Output()
	if len(bytes.TrimSpace(ps)) > 0 {
		t.Errorf("processes left after Down:\n%s", ps)
	}
}

func execOut(t *testing.T, b *Backend, lab, node string, cmd ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := b.Exec(context.Background(), lab, node, cmd, backend.ExecIO{Stdout: &out, Stderr: &errb})
	return out.String() + errb.String(), err
}

func noDefaultRoute(t *testing.T, b *Backend, lab *model.Lab) {
	t.Helper()
	for _, n := range lab.Nodes {
		if !hasNamespace(n) {
			continue
		}
		for _, fam := range []string{"-4", "-6"} {
			out, err := exec.Command("ip", "-n", Namespace(lab.Name, n.Name), fam, "route", "show").CombinedOutput()
			if err != nil {
				t.Fatalf("ip route %s: %v %s", n.Name, err, out)
			}
			if strings.Contains(string(out), "default") {
				t.Errorf("node %s has a default route:\n%s", n.Name, out)
			}
		}
	}
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last := ""
	for time.Now().Before(deadline) {
		ok, info := cond()
		if ok {
			return
		}
		last = info
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s: not within %s; last: %s", what, timeout, last)
}

func TestIntegrationNetnsSingleRouter(t *testing.T) {
	b, caps := integrationBackend(t, "frr")
	yaml, err := os.ReadFile("../../single-router.yaml")
	if err != nil {
		t.Fatal(err)
	}
	lab := upLab(t, b, caps, yaml)

	out, err := execOut(t, b, lab.Name, "r1", "vtysh", "-c", "show bgp summary json")
	if err != nil {
		t.Fatalf("vtysh: %v: %s", err, out)
	}
	var sum map[string]any
	if err := json.Unmarshal([]byte(out), &sum); err != nil || sum["ipv4Unicast"] == nil {
		t.Fatalf("show bgp summary json is not FRR's summary: %v\n%s", err, out)
	}
	if out, err := execOut(t, b, lab.Name, "c1", "ping", "-c1", "-W1", "203.0.113.1"); err != nil {
		t.Fatalf("ping across the LAN: %v\n%s", err, out)
	}
	noDefaultRoute(t, b, lab)

	ctx := context.Background()
	st, err := b.Inspect(ctx, lab.Name)
	if err != nil {
		t.Fatal(err)
	}
	var zebra backend.ProcessState
	for _, n := range st.Nodes {
		for _, p := range n.Processes {
			if n.Name == "r1" && p.Name == "zebra" {
				zebra = p
			}
		}
	}
	if !zebra.Running || zebra.Frozen {
		t.Fatalf("zebra: %+v, want running", zebra)
	}
	if err := b.Fault(ctx, lab.Name, backend.Fault{Kind: backend.FaultFreeze, Target: "r1"}); err != nil {
		t.Fatal(err)
	}
	st, _ = b.Inspect(ctx, lab.Name)
	for _, p := range st.Nodes[0].Processes {
		if !p.Frozen {
			t.Errorf("after freeze, %s is not frozen", p.Name)
		}
	}
	if err := b.Fault(ctx, lab.Name, backend.Fault{Kind: backend.FaultThaw, Target: "r1"}); err != nil {
		t.Fatal(err)
	}
	if out, err := execOut(t, b, lab.Name, "r1", "vtysh", "-c", "show version"); err != nil {
		t.Fatalf("vtysh after thaw: %v\n%s", err, out)
	}

	lan := lab.Links[0].Name
	if err := b.Fault(ctx, lab.Name, backend.Fault{Kind: backend.FaultLinkDown, Target: lan, Node: "c1"}); err != nil {
		t.Fatal(err)
	}
	if out, err := execOut(t, b, lab.Name, "c1", "ping", "-c1", "-W1", "203.0.113.1"); err == nil {
		t.Fatalf("ping works with c1's link down:\n%s", out)
	}
	if err := b.Fault(ctx, lab.Name, backend.Fault{Kind: backend.FaultLinkUp, Target: lan, Node: "c1"}); err != nil {
		t.Fatal(err)
	}
	if out, err := execOut(t, b, lab.Name, "c1", "ping", "-c1", "-W2", "203.0.113.1"); err != nil {
		t.Fatalf("ping after link up: %v\n%s", err, out)
	}

	if err := b.Fault(ctx, lab.Name, backend.Fault{Kind: backend.FaultRestart, Target: "r1"}); err != nil {
		t.Fatal(err)
	}
	if out, err := execOut(t, b, lab.Name, "r1", "vtysh", "-c", "show running-config"); err != nil || !strings.Contains(out, "router bgp 64512") {
		t.Fatalf("after restart FRR lost its config: %v\n%s", err, out)
	}
}

// TestIntegrationNetnsDownWithoutState: Up, lose the state file (a crash, a deleted
// out/), then Down from a fresh Backend (another process): the tag scan still removes
// every namespace, daemon, host link and FRR dir.
func TestIntegrationNetnsDownWithoutState(t *testing.T) {
	b, caps := integrationBackend(t, "frr")
	yaml, err := os.ReadFile("../../single-router.yaml")
	if err != nil {
		t.Fatal(err)
	}
	lab := upLab(t, b, caps, yaml) // its cleanup Down runs too, and must find nothing
	if err := os.Remove(filepath.Join(b.o.Root, lab.Name, stateFile)); err != nil {
		t.Fatal(err)
	}
	fresh := New(Options{Root: t.TempDir(), Logger: b.o.Logger})
	if err := fresh.Down(context.Background(), lab.Name); err != nil {
		t.Fatal(err)
	}
	assertGone(t, lab)
}
