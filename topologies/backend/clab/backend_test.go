package clab

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bgplb/bgplb/topologies/backend"
)

const checkCall = "docker info --format {{.ServerVersion}}"

// TestUpCommandSequence: the check, then the host bridges of the lab's bridge links,
// then the deployer (its own check, the kind cluster, containerlab deploy).
func TestUpCommandSequence(t *testing.T) {
	x := newLab(t, "clab-ceos-vyos")
	x.up(t)
	br0, br1 := x.lab.Links[0].Bridge, x.lab.Links[1].Bridge
	clab := filepath.Join(x.dir, "clab")
	wantCalls(t, x.f.calls,
		checkCall,
		"ip link add name "+br0+" type bridge",
		"ip link set dev "+br0+" up",
		"ip link add name "+br1+" type bridge",
		"ip link set dev "+br1+" up",
		checkCall,
		"kind get clusters",
		"kind create cluster --name clab-ceos-vyos --config "+filepath.Join(clab, "clab-ceos-vyos.kind.yaml"),
		"containerlab deploy -t "+filepath.Join(clab, "lab.clab.yml")+" --reconfigure",
	)
}

func TestUpLeavesClusterToContainerlabWhenAsked(t *testing.T) {
	x := newLab(t, "two-dc")
	x.b.o.ClusterByContainerlab = true
	x.up(t)
	for _, c := range x.f.calls {
		if strings.HasPrefix(c, "kind create") {
			t.Errorf("kind create ran although containerlab owns the cluster: %s", c)
		}
	}
	topo, _ := os.ReadFile(filepath.Join(x.dir, "clab", "lab.clab.yml"))
	if !strings.Contains(string(topo), "kind: k8s-kind\n      startup-config: two-dc.kind.yaml") {
		t.Errorf("no k8s-kind node for the cluster:\n%s", topo)
	}
}

// TestDownCommandSequenceAndIdempotence: containerlab destroy, kind delete, the bridges;
// nothing left, and a second Down runs no command.
func TestDownCommandSequenceAndIdempotence(t *testing.T) {
	x := newLab(t, "clab-ceos-vyos")
	x.up(t)
	x.f.calls = nil
	if err := x.b.Down(context.Background(), x.lab.Name); err != nil {
		t.Fatal(err)
	}
	wantCalls(t, x.f.calls,
		"containerlab destroy -t "+filepath.Join(x.dir, "clab", "lab.clab.yml")+" --cleanup",
		"kind delete cluster --name clab-ceos-vyos",
		"ip link del dev "+x.lab.Links[0].Bridge,
		"ip link del dev "+x.lab.Links[1].Bridge,
	)
	if left := readTree(t, x.dir); len(left) != 0 {
		t.Errorf("Down left files: %v", left)
	}
	x.f.calls = nil
	if err := x.b.Down(context.Background(), x.lab.Name); err != nil {
		t.Errorf("second Down: %v", err)
	}
	wantCalls(t, x.f.calls)
}

// TestDownAfterHalfFinishedUp: Up failed creating the second bridge; Down removes the
// first (and tolerates the second not existing) and reports success.
func TestDownAfterHalfFinishedUp(t *testing.T) {
	x := newLab(t, "clab-ceos-vyos")
	br1 := x.lab.Links[1].Bridge
	x.f.replies["ip link add name "+br1] = reply{err: errors.New("exit status 2: RTNETLINK answers: Operation not permitted")}
	err := x.b.Up(context.Background(), x.lab, backend.UpOptions{Dir: x.dir})
	if err == nil || !strings.Contains(err.Error(), "lab down") {
		t.Fatalf("Up = %v, want the bridge failure and a hint to run lab down", err)
	}
	x.f.replies["ip link del dev "+br1] = reply{err: errors.New("exit status 1: Cannot find device \"" + br1 + "\"")}
	x.f.calls = nil
	if err := x.b.Down(context.Background(), x.lab.Name); err != nil {
		t.Fatalf("Down after a half-finished Up = %v", err)
	}
	wantCalls(t, x.f.calls, "ip link del dev "+x.lab.Links[0].Bridge, "ip link del dev "+br1)
}

func TestDownKeepsStateWhenBridgeDeleteFails(t *testing.T) {
	x := newLab(t, "clab-ceos-vyos")
	x.up(t)
	x.f.replies["ip link del"] = reply{err: errors.New("exit status 2: RTNETLINK answers: Operation not permitted")}
	if err := x.b.Down(context.Background(), x.lab.Name); err == nil {
		t.Fatal("Down succeeded although a bridge stayed")
	}
	if _, err := os.Stat(filepath.Join(x.dir, stateFile)); err != nil {
		t.Errorf("state gone although a bridge is left: a retry could not find it: %v", err)
	}
}

func TestUpFailsAtOnceWithoutTools(t *testing.T) {
	x := newLab(t, "two-dc")
	x.f.onPath = map[string]bool{"docker": true}
	x.f.replies["docker info"] = reply{err: errors.New("exit status 1: Cannot connect to the Docker daemon")}
	err := x.b.Up(context.Background(), x.lab, backend.UpOptions{Dir: x.dir})
	if !errors.Is(err, ErrMissingTools) {
		t.Fatalf("Up = %v, want ErrMissingTools", err)
	}
	wantCalls(t, x.f.calls, checkCall)
	if _, statErr := os.Stat(x.dir); !os.IsNotExist(statErr) {
		t.Errorf("Up made %s before failing its check", x.dir)
	}
}

func TestUpNeedsAnImageForBird(t *testing.T) {
	x := newLab(t, "two-dc")
	x.b.o.Images = nil
	err := x.b.Up(context.Background(), x.lab, backend.UpOptions{Dir: x.dir})
	if err == nil || !strings.Contains(err.Error(), "router r3: kind bird has no default container image") {
		t.Errorf("Up = %v, want r3 named with a hint to set its image", err)
	}
	wantCalls(t, x.f.calls)
}

// TestCapabilitiesWithRealTools runs the real runner on this machine. The lab machines
// have no Docker daemon, containerlab or kind: Capabilities must fail at once naming them.
func TestCapabilitiesWithRealTools(t *testing.T) {
	b := New(Options{Root: t.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	start := time.Now()
	caps, err := b.Capabilities(context.Background())
	took := time.Since(start)
	if err == nil {
		t.Skipf("Docker, containerlab and kind are all usable here (caps %+v): nothing missing to report", caps)
	}
	t.Logf("Capabilities failed in %v: %v", took, err)
	if !errors.Is(err, ErrMissingTools) {
		t.Errorf("error does not wrap ErrMissingTools: %v", err)
	}
	if took > 5*time.Second {
		t.Errorf("took %v: it must fail fast", took)
	}
	for tool, want := range map[string]string{"containerlab": "containerlab (not on PATH", "kind": "kind (not on PATH"} {
		if _, lerr := exec.LookPath(tool); lerr != nil && !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q: %v", want, err)
		}
	}
	if !strings.Contains(err.Error(), "Docker (") && exec.Command("docker", "info").Run() != nil {
		t.Errorf("message does not name Docker: %v", err)
	}
}

func TestCapabilities(t *testing.T) {
	b := New(Options{Runner: newFake("docker", "containerlab", "kind")})
	caps, err := b.Capabilities(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if caps.Backend != "clab" || strings.Join(caps.Kinds, ",") != "bird,ceos,frr,gobgp,iosxe,openbgpd,vyos" ||
		!caps.IPv6 || !caps.BFD || !caps.Bridges || !caps.MD5 || !caps.GTSM {
		t.Errorf("caps = %+v", caps)
	}
}

func TestExecAndInspect(t *testing.T) {
	x := newLab(t, "two-dc")
	x.up(t)
	x.f.calls = nil
	x.f.replies["docker exec clab-two-dc-r1 vtysh"] = reply{out: "{}"}
	var out bytes.Buffer
	ctx := context.Background()
	if err := x.b.Exec(ctx, "two-dc", "r1", []string{"vtysh", "-c", "show bgp summary json"}, backend.ExecIO{Stdout: &out}); err != nil || out.String() != "{}" {
		t.Fatalf("Exec = %q, %v", out.String(), err)
	}
	if err := x.b.Exec(ctx, "two-dc", "n3", []string{"ip", "route"}, backend.ExecIO{}); err != nil {
		t.Fatal(err)
	}
	if err := x.b.Exec(ctx, "two-dc", "ghost", []string{"true"}, backend.ExecIO{}); err == nil {
		t.Error("Exec on an unknown node succeeded")
	}
	x.f.replies["containerlab inspect"] = reply{out: `{"two-dc": [{"name": "clab-two-dc-r1", "state": "running"}, {"name": "clab-two-dc-r2", "state": "paused"}]}`}
	x.f.replies["docker inspect --format {{.State.Status}} two-dc-worker"] = reply{out: "running\n"}
	x.f.replies["docker inspect --format {{.State.Status}} two-dc-worker2"] = reply{err: errors.New("exit status 1: No such object: two-dc-worker2")}
	st, err := x.b.Inspect(ctx, "two-dc")
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]backend.NodeState{}
	for _, n := range st.Nodes {
		byName[n.Name] = n
	}
	if len(st.Nodes) != 9 || byName["r1"].Namespace != "clab-two-dc-r1" || !byName["r1"].Processes[0].Running ||
		!byName["r2"].Processes[0].Frozen || byName["n1"].Namespace != "two-dc-worker" || !byName["n1"].Processes[0].Running ||
		byName["n2"].Processes[0].Running || byName["r1"].Addresses[0] != "192.0.2.1/32" {
		t.Errorf("Inspect = %+v", st.Nodes)
	}
	wantCalls(t, x.f.calls[:2],
		"docker exec clab-two-dc-r1 vtysh -c show bgp summary json",
		"docker exec two-dc-worker3 ip route",
	)
}
