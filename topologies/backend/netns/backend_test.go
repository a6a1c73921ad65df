package netns

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bgplb/bgplb/topologies/backend"
	"github.com/bgplb/bgplb/topologies/kinds"
	"github.com/bgplb/bgplb/topologies/model"
)

var update = flag.Bool("update", false, "rewrite golden files")

// smallTopology: an FRR router and a BIRD router (eBGP over a veth), a k8s node and a
// client on the FRR router's LAN.
const smallTopology = `
name: small
sites:
  dc1: {asn: 64512}
  dc2: {asn: 64514}
kinds:
  k8s-node: {asn: 64513}
nodes:
  - {name: r1, kind: frr, site: dc1}
  - {name: r2, kind: bird, site: dc2}
  - {name: n1, role: k8s-node, site: dc1}
  - {name: c1, role: client, site: dc1}
links:
  - {endpoints: [r1, r2]}
  - {name: lan, endpoints: [r1, n1, c1]}
`

func resolve(t *testing.T, yaml string) *model.Lab {
	t.Helper()
	top, err := model.Parse([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	lab, err := model.Resolve(top, model.AllCapabilities(kinds.Registry().RouterNames()))
	if err != nil {
		t.Fatal(err)
	}
	return lab
}

// scriptFRR makes the recorder answer FRR's readiness check.
func scriptFRR(rec *recorder) {
	rec.onInNamespace("vtysh -N", "zebra staticd bgpd bfdd\n", nil)
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs; got:\n%s", path, got)
	}
}

// TestUpCommandPlan is the exact plan of a small lab: one batch of namespaces, sysctls
// per namespace, one batch of links, one batch per namespace, the daemons, the
// readiness checks and FRR's configuration load.
func TestUpCommandPlan(t *testing.T) {
	rec := newRecorder()
	scriptFRR(rec)
	b, root := testBackend(t, rec)
	lab := resolve(t, smallTopology)
	var steps []string
	err := b.Up(context.Background(), lab, backend.UpOptions{Progress: func(s string) { steps = append(steps, s) }})
	if err != nil {
		t.Fatal(err)
	}
	// Routers are waited for in parallel: their checks interleave in any order, so
	// group them by router (command and control socket), keeping each router's order.
	cmds := rec.commands()
	last := 0
	for i, c := range cmds {
		if strings.HasPrefix(c, "start[") {
			last = i + 1
		}
	}
	key := func(c string) string { return strings.Join(strings.Fields(c)[:4], " ") } // ip netns exec NS
	slices.SortStableFunc(cmds[last:], func(a, b string) int { return strings.Compare(key(a), key(b)) })
	plan := strings.ReplaceAll(strings.Join(cmds, "\n")+"\n", root, "<ROOT>")
	golden(t, "up-small.plan", plan)
	if len(steps) == 0 {
		t.Error("no progress reported")
	}
	// FRR's pathspace dirs exist with the rendered config; BIRD's config is written.
	for _, f := range []string{"etc/frr/" + lab.Tag + "-r1/frr.conf", "etc/frr/" + lab.Tag + "-r1/vtysh.conf", "labs/small/r2/bird/bird.conf", "labs/small/state.json"} {
		if _, err := os.Stat(filepath.Join(root, f)); err != nil {
			t.Errorf("Up did not write %s: %v", f, err)
		}
	}
	if err := b.Up(context.Background(), lab, backend.UpOptions{}); err == nil || !strings.Contains(err.Error(), "already up") {
		t.Errorf("second Up: %v, want 'already up'", err)
	}
}

// TestNoDefaultRoute: no plan for any shipped topology adds a default route, and the
// plan refuses one outright.
func TestNoDefaultRoute(t *testing.T) {
	files, _ := filepath.Glob("../../*.yaml")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		top, err := model.Parse(data)
		if err != nil {
			continue // not ours to judge; the model's tests do
		}
		lab, err := model.Resolve(top, model.AllCapabilities(kinds.Registry().RouterNames()))
		if err != nil {
			continue
		}
		for _, n := range lab.Nodes {
			script, err := nodeBatch(n)
			if err != nil {
				t.Fatalf("%s node %s: %v", f, n.Name, err)
			}
			for _, line := range strings.Split(script, "\n") {
				if strings.HasPrefix(line, "route") && (strings.Contains(line, "default") || strings.Contains(line, "/0 ")) {
					t.Errorf("%s node %s: default route %q", f, n.Name, line)
				}
			}
		}
	}
	n := model.LabNode{Name: "x", Routes: []model.Route{{Prefix: mustPrefix("0.0.0.0/0"), Via: []netipAddr{mustAddr("192.0.2.1")}}}}
	if _, err := nodeBatch(n); err == nil {
		t.Error("nodeBatch accepted a default route")
	}
}

// TestNamesFit: every device name the plan uses fits the kernel's 15 characters, and
// namespaces are unique per lab, for every shipped topology and across two labs.
func TestNamesFit(t *testing.T) {
	files, _ := filepath.Glob("../../*.yaml")
	seen := map[string]string{}
	for _, f := range append(files, "small") {
		var lab *model.Lab
		if f == "small" {
			lab = resolve(t, smallTopology)
		} else {
			data, _ := os.ReadFile(f)
			top, err := model.Parse(data)
			if err != nil {
				continue
			}
			if lab, err = model.Resolve(top, model.AllCapabilities(kinds.Registry().RouterNames())); err != nil {
				continue
			}
		}
		for _, line := range strings.Split(linksBatch(lab), "\n") {
			fs := strings.Fields(line)
			for i, w := range fs {
				if (w == "name" || w == "dev" || w == "master") && i+1 < len(fs) && len(fs[i+1]) > 15 {
					t.Errorf("%s: device name %q longer than 15", f, fs[i+1])
				}
			}
		}
		for _, n := range lab.Nodes {
			ns := Namespace(lab.Name, n.Name)
			if other, dup := seen[ns]; dup {
				t.Errorf("namespace %s used by %s and %s", ns, other, f)
			}
			seen[ns] = f
		}
	}
}

// TestDownAfterHalfFinishedUp: Up fails creating links (after namespaces, before any
// router); Down removes what the state file and the machine show.
func TestDownAfterHalfFinishedUp(t *testing.T) {
	rec := newRecorder()
	scriptFRR(rec)
	lab := resolve(t, smallTopology)
	failLinks := errors.New("RTNETLINK answers: File exists")
	b, root := testBackend(t, rec)
	// The namespaces batch passes; the links batch (host, second "ip -batch -") fails.
	calls := 0
	b.o.Runner = hook{rec, func(c Cmd) error {
		if c.String() == "ip -batch -" {
			calls++
			if calls == 2 {
				return failLinks
			}
		}
		return nil
	}}
	err := b.Up(context.Background(), lab, backend.UpOptions{})
	if !errors.Is(err, failLinks) {
		t.Fatalf("Up: %v, want the links error", err)
	}
	rec.rules = nil
	rec.on("ip netns list", lab.Tag+"-r1 (id: 1)\n"+lab.Tag+"-r2\n"+lab.Tag+"-n1\nunrelated\n", nil)
	rec.on("ip -o link show", "1: lo: <LOOPBACK>\n5: b"+lab.Tag+"-1: <BROADCAST>\n", nil)
	before := len(rec.commands())
	if err := b.Down(context.Background(), lab.Name); err != nil {
		t.Fatal(err)
	}
	golden(t, "down-half.plan", strings.ReplaceAll(strings.Join(rec.commands()[before:], "\n")+"\n", root, "<ROOT>"))
	for _, gone := range []string{"etc/frr/" + lab.Tag + "-r1", "run/frr/" + lab.Tag + "-r1", "labs/small/state.json"} {
		if _, err := os.Stat(filepath.Join(root, gone)); err == nil {
			t.Errorf("%s left after Down", gone)
		}
	}
	// Idempotent: a second Down finds nothing and succeeds.
	rec.rules = nil
	if err := b.Down(context.Background(), lab.Name); err != nil {
		t.Fatalf("second Down: %v", err)
	}
}

// TestDownWithoutStateFile: only the machine knows of the lab (state lost). Down kills
// what runs in the tagged namespaces and deletes those, their tagged host links and
// FRR dirs, and nothing else.
func TestDownWithoutStateFile(t *testing.T) {
	rec := newRecorder()
	b, root := testBackend(t, rec)
	tag := model.Tag("ghost")
	rec.live[4242] = ProcStat{State: 'S', Start: 9}
	rec.live[4343] = ProcStat{State: 'S', Start: 9} // not in the lab: must survive
	rec.on("ip netns list", tag+"-r1 (id: 0)\nother-r1\n", nil)
	rec.on("ip netns pids "+tag+"-r1", "4242\n", nil)
	rec.on("ip -o link show", "1: lo: <LOOPBACK>\n2: eth0: <UP>\n7: v"+tag+"-0-1@if3: <UP>\n8: b"+tag+"-0: <UP>\n9: bdeadbe-0: <UP>\n", nil)
	for _, d := range []string{"etc/frr/" + tag + "-r1", "run/frr/" + tag + "-r1", "etc/frr/other-r1"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Down(context.Background(), "ghost"); err != nil {
		t.Fatal(err)
	}
	golden(t, "down-nostate.plan", strings.Join(rec.commands(), "\n")+"\n")
	if _, ok := rec.live[4343]; !ok {
		t.Error("Down killed a process outside the lab")
	}
	if _, ok := rec.live[4242]; ok {
		t.Error("Down left the lab's process running")
	}
	if _, err := os.Stat(filepath.Join(root, "etc/frr/other-r1")); err != nil {
		t.Error("Down removed another instance's FRR dir")
	}
	if _, err := os.Stat(filepath.Join(root, "etc/frr", tag+"-r1")); err == nil {
		t.Error("Down left the lab's FRR dir")
	}
}

// hook wraps the recorder, failing chosen commands after recording them.
type hook struct {
	*recorder
	fail func(Cmd) error
}

func (h hook) Run(ctx context.Context, c Cmd) ([]byte, error) {
	out, err := h.recorder.Run(ctx, c)
	if ferr := h.fail(c); ferr != nil {
		return out, ferr
	}
	return out, err
}

// TestUpRefusesALabUpElsewhere: the lab's namespaces exist (its state lives under
// another root). Up says so before creating or recording anything, so that no
// clean-up of this attempt can remove the running lab.
func TestUpRefusesALabUpElsewhere(t *testing.T) {
	rec := newRecorder()
	lab := resolve(t, smallTopology)
	b, root := testBackend(t, rec)
	rec.on("ip netns list", lab.Tag+"-r1 (id: 1)\nunrelated\n", nil)
	err := b.Up(context.Background(), lab, backend.UpOptions{})
	if !errors.Is(err, backend.ErrAlreadyUp) || !strings.Contains(err.Error(), lab.Tag+"-r1") {
		t.Fatalf("Up: %v, want ErrAlreadyUp naming the namespace", err)
	}
	if cmds := rec.commands(); len(cmds) != 1 || cmds[0] != "ip netns list" {
		t.Errorf("Up ran %q; want only the namespace listing", cmds)
	}
	if _, err := os.Stat(filepath.Join(root, "labs", lab.Name, "state.json")); err == nil {
		t.Error("Up recorded state for a lab it does not own")
	}
}
