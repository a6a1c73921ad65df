// Package nsrig is the namespace rig of the speaker's integration tests: a few
// network namespaces joined by veth pairs, FRR or other daemons inside, all
// removed when the test ends. It is smaller than a lab (no control plane, no
// topology) because those tests drive one adapter against a real router.
package nsrig

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Need skips tb unless it may build a rig: as root, with ip and the given
// programs (names on PATH or absolute paths), and for a test not under -short (a
// benchmark is asked for by name, so -short does not skip it).
func Need(tb testing.TB, programs ...string) {
	tb.Helper()
	if _, isTest := tb.(*testing.T); isTest && testing.Short() {
		tb.Skip("integration test: not with -short")
	}
	if os.Geteuid() != 0 {
		tb.Skip("needs root (network namespaces)")
	}
	for _, p := range append([]string{"ip"}, programs...) {
		if _, err := exec.LookPath(p); err != nil {
			if _, err2 := os.Stat(p); err2 != nil {
				tb.Skipf("needs %s: %v", p, err)
			}
		}
	}
}

// Rig names its namespaces Prefix-<name> and keeps daemon logs in Dir.
type Rig struct {
	T      testing.TB
	Prefix string
	Dir    string
}

// New returns an empty rig whose namespace names start with prefix and the
// test process's PID, so that two test binaries never share one.
func New(tb testing.TB, prefix string) *Rig {
	return &Rig{T: tb, Prefix: fmt.Sprintf("%s-%d", prefix, os.Getpid()%100000), Dir: tb.TempDir()}
}

// Run runs a command and fails the test with its output when it fails.
func (r *Rig) Run(args ...string) string {
	r.T.Helper()
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		r.T.Fatalf("%s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// Netns creates namespace Prefix-name with lo up, deleted at cleanup.
func (r *Rig) Netns(name string) string {
	r.T.Helper()
	ns := r.Prefix + "-" + name
	r.Run("ip", "netns", "add", ns)
	r.T.Cleanup(func() { _ = exec.Command("ip", "netns", "del", ns).Run() })
	r.Run("ip", "-n", ns, "link", "set", "lo", "up")
	return ns
}

// Veth joins two namespaces with a veth pair (ifA in nsA, ifB in nsB), addresses
// each end (CIDR; IPv6 without duplicate address detection, so it is usable at
// once) and sets both up. An empty nsA is the host's own namespace, where the
// end is deleted at cleanup.
func (r *Rig) Veth(nsA, nsB, ifA, ifB string, addrsA, addrsB []string) {
	r.T.Helper()
	add := []string{"ip", "link", "add", ifA}
	if nsA != "" {
		add = append(add, "netns", nsA)
	} else {
		r.T.Cleanup(func() { _ = exec.Command("ip", "link", "del", ifA).Run() })
	}
	r.Run(append(add, "type", "veth", "peer", "name", ifB, "netns", nsB)...)
	for _, end := range []struct {
		ns, dev string
		addrs   []string
	}{{nsA, ifA, addrsA}, {nsB, ifB, addrsB}} {
		ip := []string{"ip"}
		if end.ns != "" {
			ip = append(ip, "-n", end.ns)
		}
		for _, a := range end.addrs {
			args := append(append([]string{}, ip...), "addr", "add", a, "dev", end.dev)
			if strings.Contains(a, ":") {
				args = append(args, "nodad")
			}
			r.Run(args...)
		}
		r.Run(append(append([]string{}, ip...), "link", "set", end.dev, "up")...)
	}
}

// Daemon starts a foreground process in ns, its output in Dir/logName. `ip
// netns exec` execs it, so the process is the daemon itself and can be frozen;
// at cleanup it is thawed, killed and reaped.
func (r *Rig) Daemon(ns, logName string, args ...string) *os.Process {
	r.T.Helper()
	logf, err := os.Create(filepath.Join(r.Dir, logName))
	if err != nil {
		r.T.Fatal(err)
	}
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns}, args...)...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		r.T.Fatal(err)
	}
	r.T.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGCONT)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		logf.Close()
	})
	return cmd.Process
}

// FRR starts the FRR daemons (zebra first) as the pathspace of ns, waits for
// each to answer and loads conf. It returns the daemons' processes by name.
func (r *Rig) FRR(ns, conf string, daemons ...string) map[string]*os.Process {
	r.T.Helper()
	r.T.Cleanup(func() { _ = os.RemoveAll("/var/run/frr/" + ns) })
	procs := map[string]*os.Process{}
	for _, d := range daemons {
		procs[d] = r.Daemon(ns, strings.TrimPrefix(ns, r.Prefix+"-")+"-"+d+".log", "/usr/lib/frr/"+d, "-N", ns, "--log", "stdout")
		WaitFor(r.T, 10*time.Second, "FRR "+d+" in "+ns, func() bool {
			out, _ := exec.Command("vtysh", "-N", ns, "-c", "show daemons").CombinedOutput()
			return strings.Contains(string(out), d)
		})
	}
	f := filepath.Join(r.Dir, ns+".conf")
	if err := os.WriteFile(f, []byte(conf), 0o644); err != nil {
		r.T.Fatal(err)
	}
	r.Run("vtysh", "-N", ns, "-f", f)
	return procs
}

// Vtysh runs a show command on the FRR of ns and decodes its JSON into v.
func Vtysh(tb testing.TB, ns, cmd string, v any) {
	tb.Helper()
	out, err := exec.Command("vtysh", "-N", ns, "-c", cmd).Output()
	if err != nil {
		tb.Fatalf("vtysh -N %s -c %q: %v", ns, cmd, err)
	}
	if err := json.Unmarshal(out, v); err != nil {
		tb.Fatalf("vtysh %q: %v: %s", cmd, err, out)
	}
}

// Logs logs the tail of every daemon log, for a failure.
func (r *Rig) Logs() {
	files, _ := filepath.Glob(filepath.Join(r.Dir, "*.log"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if len(b) > 3000 {
			b = b[len(b)-3000:]
		}
		r.T.Logf("--- %s ---\n%s", filepath.Base(f), b)
	}
}

// WaitFor is WaitFor with the daemon logs in the failure.
func (r *Rig) WaitFor(d time.Duration, what string, cond func() bool) {
	r.T.Helper()
	if !poll(d, cond) {
		r.Logs()
		r.T.Fatalf("after %s: %s", d, what)
	}
}

// WaitFor polls cond every 50 ms until it holds, or fails tb after d.
func WaitFor(tb testing.TB, d time.Duration, what string, cond func() bool) {
	tb.Helper()
	if !poll(d, cond) {
		tb.Fatalf("after %s: %s", d, what)
	}
}

func poll(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
	return true
}
