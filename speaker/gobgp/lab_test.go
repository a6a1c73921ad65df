package gobgp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The integration tests build a small lab of network namespaces: one for the
// speaker, one per router, joined by veth pairs. GoBGP dials from its own
// goroutines, so the speaker side cannot just setns one thread: the test binary
// re-executes itself under `ip netns exec <speaker ns>` (env childEnv names the
// test) and the child runs the adapter and checks the routers (vtysh, birdc and
// gobgp reach them through their control sockets or `ip netns exec`).

const childEnv = "BGPLB_GOBGP_NETNS_CHILD"

// labInfo is what the parent hands the child (as JSON in an env var).
type labInfo struct {
	Dir     string
	Routers map[string]string // router name -> namespace (also the FRR instance)
}

func inChild() bool { return os.Getenv(childEnv) != "" }

func childLab(t testing.TB) labInfo {
	var li labInfo
	if err := json.Unmarshal([]byte(os.Getenv(childEnv)), &li); err != nil {
		t.Fatalf("bad %s: %v", childEnv, err)
	}
	return li
}

type lab struct {
	t      testing.TB
	prefix string
	dir    string
	info   labInfo
}

// need skips unless we are root and have the given programs.
func need(t testing.TB, programs ...string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (network namespaces)")
	}
	for _, p := range append([]string{"ip"}, programs...) {
		if _, err := exec.LookPath(p); err != nil {
			if _, err2 := os.Stat(p); err2 != nil {
				t.Skipf("needs %s: %v", p, err)
			}
		}
	}
}

func newLab(t testing.TB) *lab {
	t.Helper()
	l := &lab{t: t, prefix: fmt.Sprintf("bgplbtest-%d", os.Getpid()), dir: t.TempDir()}
	l.info = labInfo{Dir: l.dir, Routers: map[string]string{}}
	return l
}

func (l *lab) run(args ...string) string {
	l.t.Helper()
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		l.t.Fatalf("%s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// ns creates a namespace (deleted at cleanup) and returns its name.
func (l *lab) ns(name string) string {
	ns := l.prefix + "-" + name
	l.run("ip", "netns", "add", ns)
	l.t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", ns).Run() })
	l.run("ip", "-n", ns, "link", "set", "lo", "up")
	return ns
}

// link joins two namespaces with a veth pair and addresses (CIDR, nodad for v6).
func (l *lab) link(nsA, nsB, ifA, ifB string, addrsA, addrsB []string) {
	l.run("ip", "link", "add", ifA, "netns", nsA, "type", "veth", "peer", "name", ifB, "netns", nsB)
	for _, side := range []struct {
		ns, dev string
		addrs   []string
	}{{nsA, ifA, addrsA}, {nsB, ifB, addrsB}} {
		for _, a := range side.addrs {
			args := []string{"ip", "-n", side.ns, "addr", "add", a, "dev", side.dev}
			if strings.Contains(a, ":") {
				args = append(args, "nodad")
			}
			l.run(args...)
		}
		l.run("ip", "-n", side.ns, "link", "set", side.dev, "up")
	}
}

// daemon starts a foreground process in a namespace, stopped at cleanup.
func (l *lab) daemon(ns, logName string, args ...string) {
	l.t.Helper()
	logf, err := os.Create(filepath.Join(l.dir, logName))
	if err != nil {
		l.t.Fatal(err)
	}
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns}, args...)...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		l.t.Fatal(err)
	}
	l.t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		logf.Close()
	})
}

// frr runs zebra and bgpd (FRR pathspace -N <ns>) in a new namespace and loads conf.
func (l *lab) frr(name, conf string) string {
	l.t.Helper()
	ns := l.ns(name)
	l.t.Cleanup(func() { _ = os.RemoveAll("/var/run/frr/" + ns) })
	l.daemon(ns, name+"-zebra.log", "/usr/lib/frr/zebra", "-N", ns, "--log", "stdout")
	l.waitDaemons(ns, "zebra")
	l.daemon(ns, name+"-bgpd.log", "/usr/lib/frr/bgpd", "-N", ns, "--log", "stdout")
	l.waitDaemons(ns, "bgpd")
	f := filepath.Join(l.dir, name+".conf")
	if err := os.WriteFile(f, []byte(conf), 0o644); err != nil {
		l.t.Fatal(err)
	}
	l.run("vtysh", "-N", ns, "-f", f)
	l.info.Routers[name] = ns
	return ns
}

func (l *lab) waitDaemons(ns, daemon string) {
	l.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, _ := exec.Command("vtysh", "-N", ns, "-c", "show daemons").CombinedOutput()
		if strings.Contains(string(out), daemon) {
			return
		}
		if time.Now().After(deadline) {
			l.t.Fatalf("FRR %s in %s did not start: %s", daemon, ns, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// runChild re-executes this test (or benchmark) inside the speaker namespace.
func (l *lab) runChild(speakerNS string, extra ...string) {
	l.t.Helper()
	info, _ := json.Marshal(l.info)
	name := l.t.Name()
	args := []string{"netns", "exec", speakerNS, os.Args[0], "-test.v", "-test.count=1"}
	if strings.HasPrefix(name, "Benchmark") {
		args = append(args, "-test.run=^$", "-test.bench=^"+name+"$", "-test.benchtime=1x")
	} else {
		args = append(args, "-test.run=^"+name+"$")
	}
	cmd := exec.Command("ip", append(args, extra...)...)
	cmd.Env = append(os.Environ(), childEnv+"="+string(info))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	l.t.Log("child in " + speakerNS + ":\n" + out.String())
	if err != nil {
		logs, _ := filepath.Glob(filepath.Join(l.dir, "*.log"))
		for _, f := range logs {
			b, _ := os.ReadFile(f)
			if len(b) > 3000 {
				b = b[len(b)-3000:]
			}
			l.t.Logf("--- %s ---\n%s", filepath.Base(f), b)
		}
		l.t.Fatalf("child failed: %v", err)
	}
}

// vtysh runs a show command on an FRR instance and decodes its JSON.
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

// waitFor polls cond every 100 ms until it holds or d passes.
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

func background() context.Context { return context.Background() }
