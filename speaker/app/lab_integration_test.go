package app_test

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bgplb/bgplb/topologies/controlplane"
)

// The integration tests run the speaker in this test process (root namespace) and
// one FRR in a namespace of its own, joined to the root namespace by a veth pair
// in 203.0.113.248/30 (the speaker on .249, FRR on .250). Deleting the namespace
// deletes the pair, so nothing outlives a test.

const (
	frrZebra   = "/usr/lib/frr/zebra"
	frrBgpd    = "/usr/lib/frr/bgpd"
	speakerIP  = "203.0.113.249"
	routerIP   = "203.0.113.250"
	labSecret  = "Md5-Lab-Key-7f3a"
	speakerASN = 64513
	routerASN  = 64512
)

func needLab(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: needs root, FRR and kube-apiserver; skipped with -short")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root (network namespaces)")
	}
	for _, p := range []string{"ip", "vtysh", frrZebra, frrBgpd} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("needs %s: %v", p, err)
		}
	}
}

// One control plane per test binary, stopped by TestMain.
var shared struct {
	once sync.Once
	cp   *controlplane.ControlPlane
	dir  string
	err  error
	skip string
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.cp != nil {
		if err := shared.cp.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stop control plane:", err)
		}
	}
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

func controlPlane(t testing.TB) *controlplane.ControlPlane {
	t.Helper()
	shared.once.Do(func() {
		if _, err := controlplane.FindBinaries(controlplane.Binaries{}, os.Getenv, "."); err != nil {
			shared.skip = err.Error()
			return
		}
		if shared.dir, shared.err = os.MkdirTemp("", "bgplb-speaker-test-"); shared.err != nil {
			return
		}
		ctx, cancel := contextTimeout(2 * time.Minute)
		defer cancel()
		shared.cp, shared.err = controlplane.Start(ctx, controlplane.Options{StateDir: shared.dir, DieWithParent: true})
		if shared.err == nil {
			shared.err = shared.cp.InstallCRDs(ctx, filepath.Join("..", "..", "deploy", "crds"))
		}
	})
	if shared.skip != "" {
		t.Skipf("control plane binaries missing (make controlplane-tools): %s", shared.skip)
	}
	if shared.err != nil {
		t.Fatalf("control plane: %v", shared.err)
	}
	return shared.cp
}

func run(t testing.TB, args ...string) string {
	t.Helper()
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// startFRR starts zebra+bgpd in a new namespace peered with the root namespace
// and returns the namespace (also the FRR instance name).
func startFRR(t testing.TB, conf string) string {
	t.Helper()
	ns := fmt.Sprintf("bgplbsp-%d", os.Getpid())
	host, peer := fmt.Sprintf("sp%d", os.Getpid()%100000), "eth0"
	run(t, "ip", "netns", "add", ns)
	t.Cleanup(func() {
		_ = exec.Command("ip", "netns", "del", ns).Run()
		_ = os.RemoveAll("/var/run/frr/" + ns)
	})
	run(t, "ip", "-n", ns, "link", "set", "lo", "up")
	run(t, "ip", "link", "add", host, "type", "veth", "peer", "name", peer, "netns", ns)
	t.Cleanup(func() { _ = exec.Command("ip", "link", "del", host).Run() })
	run(t, "ip", "addr", "add", speakerIP+"/30", "dev", host)
	run(t, "ip", "link", "set", host, "up")
	run(t, "ip", "-n", ns, "addr", "add", routerIP+"/30", "dev", peer)
	run(t, "ip", "-n", ns, "link", "set", peer, "up")
	dir := t.TempDir()
	for _, d := range []string{frrZebra, frrBgpd} {
		name := filepath.Base(d)
		logf, err := os.Create(filepath.Join(dir, name+".log"))
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("ip", "netns", "exec", ns, d, "-N", ns, "--log", "stdout")
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait(); logf.Close() })
		waitFor(t, 10*time.Second, "FRR "+name, func() bool {
			out, _ := exec.Command("vtysh", "-N", ns, "-c", "show daemons").CombinedOutput()
			return strings.Contains(string(out), name)
		})
	}
	f := filepath.Join(dir, "frr.conf")
	if err := os.WriteFile(f, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, "vtysh", "-N", ns, "-f", f)
	return ns
}

func vtysh(t testing.TB, inst, cmd string) map[string]any {
	t.Helper()
	out, err := exec.Command("vtysh", "-N", inst, "-c", cmd).Output()
	if err != nil {
		t.Fatalf("vtysh -N %s -c %q: %v", inst, cmd, err)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("vtysh %q: %v: %s", cmd, err, out)
	}
	return m
}

// frrRoute returns the community string of prefix's first path, and whether FRR has it.
func frrRoute(t testing.TB, inst, prefix string) (string, bool) {
	m := vtysh(t, inst, "show bgp ipv4 unicast "+prefix+" json")
	paths, _ := m["paths"].([]any)
	if len(paths) == 0 {
		return "", false
	}
	p, _ := paths[0].(map[string]any)
	c, _ := p["community"].(map[string]any)
	s, _ := c["string"].(string)
	return s, true
}

// frrReceived is FRR's pfxRcd from the speaker (-1 while the session is down).
func frrReceived(t testing.TB, inst string) int {
	m := vtysh(t, inst, "show bgp ipv4 unicast summary json")
	peers, _ := m["peers"].(map[string]any)
	p, _ := peers[speakerIP].(map[string]any)
	if st, _ := p["state"].(string); st != "Established" {
		return -1
	}
	n, _ := p["pfxRcd"].(float64)
	return int(n)
}

func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", d, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
