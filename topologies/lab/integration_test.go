package lab

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/bgplb/bgplb/api/v1beta2"
	"github.com/bgplb/bgplb/testing/labtest"
	"github.com/bgplb/bgplb/topologies/backend/netns"
	"github.com/bgplb/bgplb/topologies/controlplane"
	"github.com/bgplb/bgplb/topologies/model"
	"github.com/bgplb/bgplb/topologies/procstat"
)

const repo = "../.."

// labEnv is what an integration test needs; skip says why it cannot run here.
type labEnv struct {
	root  string
	opts  Options
	dopts DownOptions
}

func needLab(tb testing.TB, name string) labEnv {
	tb.Helper()
	if testing.Short() {
		tb.Skip("integration: needs root, FRR, BIRD and the apiserver build (not with -short)")
	}
	if os.Geteuid() != 0 {
		tb.Skip("integration: needs root for network namespaces")
	}
	for _, f := range []string{"/usr/lib/frr/bgpd", "/usr/sbin/bird"} {
		if _, err := os.Stat(f); err != nil {
			tb.Skipf("integration: %s missing (make packages)", f)
		}
	}
	if _, err := controlplane.FindBinaries(controlplane.Binaries{}, os.Getenv, repo); err != nil {
		tb.Skipf("integration: %v", err)
	}
	labtest.Serialize(tb)
	if leftovers := namespacesOf(tb, name); len(leftovers) > 0 {
		tb.Skipf("integration: lab %s is already up on this machine (namespaces %v): run `bgplb lab down %s`", name, leftovers, name)
	}
	root := tb.TempDir()
	b := netns.New(netns.Options{Root: root})
	var agent []string
	if bgplb, err := filepath.Abs(filepath.Join(repo, "bin", "bgplb")); err == nil && isExecutable(bgplb) {
		agent = []string{bgplb, "lab", "agent"}
	}
	e := labEnv{root: root,
		opts:  Options{Topology: name, Root: root, RepoDir: repo, Backend: b, AgentArgs: agent, Progress: func(s string) { tb.Log(s) }},
		dopts: DownOptions{Name: name, Root: root, Backend: b}}
	tb.Cleanup(func() {
		if err := Down(context.Background(), e.dopts); err != nil {
			tb.Errorf("cleanup: %v", err)
		}
	})
	return e
}

func namespacesOf(tb testing.TB, lab string) []string {
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		tb.Fatalf("ip netns list: %v", err)
	}
	var found []string
	for _, l := range strings.Split(string(out), "\n") {
		if f := strings.Fields(l); len(f) > 0 && strings.HasPrefix(f[0], model.Tag(lab)+"-") {
			found = append(found, f[0])
		}
	}
	return found
}

// routerSessionsUp waits until every router-router session is Established on both
// ends, and returns the last status.
func routerSessionsUp(t *testing.T, e labEnv, name string, limit time.Duration) *Status {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		st, err := ReadStatus(context.Background(), StatusOptions{Name: name, Root: e.root, Backend: e.opts.Backend})
		if err != nil {
			t.Fatal(err)
		}
		var down []string
		for _, s := range st.Sessions {
			if (s.Kind == string(model.SessionIBGP) || s.Kind == string(model.SessionEBGP)) && s.State != "Established" {
				down = append(down, fmt.Sprintf("%s->%s %s", s.Router, s.Neighbor, s.State))
			}
		}
		if len(down) == 0 {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("router sessions not Established after %s: %v\nproblems: %v", limit, down, st.Problems)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// tracked are every PID the lab runs: host processes, node processes, control plane.
func tracked(t *testing.T, e labEnv, rec *Record) []int {
	var pids []int
	for _, hp := range rec.HostProcesses {
		pids = append(pids, hp.PID)
	}
	st, err := e.opts.Backend.Inspect(context.Background(), rec.Name)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range st.Nodes {
		for _, p := range n.Processes {
			if p.Running {
				pids = append(pids, p.PID)
			}
		}
	}
	data, err := os.ReadFile(filepath.Join(rec.ControlPlane, "pids"))
	if err != nil {
		t.Fatalf("control plane PID file: %v", err)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if f := strings.Fields(l); len(f) == 2 {
			pid, _ := strconv.Atoi(f[1])
			pids = append(pids, pid)
		}
	}
	return pids
}

// alive is true for a process that exists and is not a zombie (this machine's PID 1
// does not reap, so dead daemons may linger as zombies).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	st, err := procstat.Read(pid)
	return err == nil && !st.Dead()
}

func downAndCheck(t *testing.T, e labEnv, rec *Record, pids []int) {
	t.Helper()
	start := time.Now()
	if err := Down(context.Background(), e.dopts); err != nil {
		t.Fatal(err)
	}
	t.Logf("down took %s", time.Since(start).Round(time.Millisecond))
	if left := namespacesOf(t, rec.Name); len(left) > 0 {
		t.Errorf("namespaces left after down: %v", left)
	}
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("tracked process %d still alive after down", pid)
		}
	}
	if _, err := os.Stat(rec.Dir); !os.IsNotExist(err) {
		t.Errorf("%s still there after down (err %v)", rec.Dir, err)
	}
	if err := Down(context.Background(), e.dopts); err != nil {
		t.Errorf("second down (idempotent): %v", err)
	}
}

func TestIntegrationLabSingleRouter(t *testing.T) {
	e := needLab(t, "single-router")
	ctx := context.Background()
	rec, err := Up(ctx, e.opts)
	if err != nil {
		t.Fatal(err)
	}
	st := routerSessionsUp(t, e, rec.Name, 30*time.Second)
	if !st.ControlPlane.Reachable || len(st.Problems) > 0 {
		t.Errorf("status problems: reachable=%v %v", st.ControlPlane.Reachable, st.Problems)
	}
	speakers := 0
	for _, s := range st.Sessions {
		if s.Kind == string(model.SessionSpeaker) && s.State != StateMissing {
			speakers++
		}
	}
	if speakers != 2 {
		t.Errorf("r1 should have a session configured toward each of the 2 nodes, has %d: %+v", speakers, st.Sessions)
	}
	data, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	var back Status
	if err := json.Unmarshal(data, &back); err != nil || back.Lab != "single-router" || len(back.Nodes) != 5 {
		t.Errorf("status JSON does not round-trip: %v %+v", err, back)
	}

	c, err := clientFromKubeconfig(rec.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	var nodes corev1.NodeList
	if err := c.List(ctx, &nodes); err != nil || len(nodes.Items) != 2 {
		t.Fatalf("nodes in the apiserver: %d, %v", len(nodes.Items), err)
	}
	if len(nodes.Items[0].Status.Addresses) == 0 {
		t.Errorf("node %s has no addresses (status not applied)", nodes.Items[0].Name)
	}
	var peers v1beta2.BGPPeerList // listing works only once the CRDs are installed
	if err := c.List(ctx, &peers); err != nil || len(peers.Items) != 1 || peers.Items[0].Spec.Address != "203.0.113.1" {
		t.Fatalf("BGPPeers: %+v, %v", peers.Items, err)
	}
	var svc corev1.Service
	if err := c.Get(ctx, clientKey("default", Demo), &svc); err != nil || svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
		t.Errorf("demo Service: %v", err)
	}
	downAndCheck(t, e, rec, tracked(t, e, rec))
}

func TestIntegrationLabTwoDC(t *testing.T) {
	e := needLab(t, "two-dc")
	rec, err := Up(context.Background(), e.opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range rec.Steps {
		t.Logf("%-45s %6.2fs", s.Name, s.Duration.Seconds())
	}
	st := routerSessionsUp(t, e, rec.Name, 60*time.Second)
	emulated := false
	for _, n := range st.Nodes {
		emulated = emulated || (n.Kind == "vyos" && n.Emulation == "emulated by frr")
	}
	if !emulated {
		t.Errorf("r4 (vyos) should be reported as emulated by frr: %+v", st.Nodes)
	}
	downAndCheck(t, e, rec, tracked(t, e, rec))
}
