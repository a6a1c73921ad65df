package app_test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/bgplb/bgplb/testing/nsrig"
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

// startFRR starts zebra+bgpd in a new namespace peered with the root namespace
// and returns the namespace (also the FRR instance name).
func startFRR(t testing.TB, conf string) string {
	t.Helper()
	r := nsrig.New(t, "bgplbsp")
	ns := r.Netns("r1")
	r.Veth("", ns, fmt.Sprintf("sp%d", os.Getpid()%100000), "eth0", []string{speakerIP + "/30"}, []string{routerIP + "/30"})
	r.FRR(ns, conf, "zebra", "bgpd")
	return ns
}

func vtysh(t testing.TB, inst, cmd string) map[string]any {
	t.Helper()
	var m map[string]any
	nsrig.Vtysh(t, inst, cmd, &m)
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

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
