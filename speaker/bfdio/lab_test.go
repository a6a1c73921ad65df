package bfdio

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The integration tests build two network namespaces joined by a veth pair:
// "sp" (192.0.2.1, 2001:db8:1::1) runs a helper — this test binary re-executed
// under `ip netns exec` with helperEnv set — that runs the Manager (and, for the
// BGP tests, embedded GoBGP behind a Gate); "r1" (192.0.2.2, 2001:db8:1::2)
// runs FRR (zebra, bfdd, bgpd) or BIRD. Being its own process, the helper can
// be frozen with SIGSTOP, which is what a hung node looks like to the router.

const helperEnv = "BGPLB_BFDIO_HELPER"

var (
	spAddr = s4("192.0.2.1")
	r1Addr = s4("192.0.2.2")
)

type lab struct {
	t      testing.TB
	dir    string
	sp, r1 string // namespaces
	procs  map[string]*os.Process
}

// needLab skips unless we are root with ip and the given programs.
func needLab(t testing.TB, programs ...string) {
	t.Helper()
	if _, isTest := t.(*testing.T); isTest && testing.Short() {
		t.Skip("integration test: not with -short")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root (network namespaces, BFD ports)")
	}
	for _, p := range append([]string{"ip"}, programs...) {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("needs %s: %v", p, err)
		}
	}
}

func newLab(t testing.TB) *lab {
	t.Helper()
	id := fmt.Sprintf("bgplbtest-bfd-%d", os.Getpid()%100000)
	l := &lab{t: t, dir: t.TempDir(), sp: id + "-sp", r1: id + "-r1", procs: map[string]*os.Process{}}
	for _, ns := range []string{l.sp, l.r1} {
		l.run("ip", "netns", "add", ns)
		t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", ns).Run() })
		l.run("ip", "-n", ns, "link", "set", "lo", "up")
	}
	l.run("ip", "link", "add", "sp-r1", "netns", l.sp, "type", "veth", "peer", "name", "r1-sp", "netns", l.r1)
	for _, a := range []struct{ ns, dev, v4, v6 string }{
		{l.sp, "sp-r1", "192.0.2.1/30", "2001:db8:1::1/64"}, {l.r1, "r1-sp", "192.0.2.2/30", "2001:db8:1::2/64"}} {
		l.run("ip", "-n", a.ns, "addr", "add", a.v4, "dev", a.dev)
		l.run("ip", "-n", a.ns, "addr", "add", a.v6, "dev", a.dev, "nodad")
		l.run("ip", "-n", a.ns, "link", "set", a.dev, "up")
	}
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

// daemon starts a foreground process in ns (`ip netns exec` execs it, so the
// process is the daemon itself and can be frozen), killed at cleanup.
func (l *lab) daemon(name, ns string, args ...string) *os.Process {
	l.t.Helper()
	logf, err := os.Create(filepath.Join(l.dir, name+".log"))
	if err != nil {
		l.t.Fatal(err)
	}
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns}, args...)...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		l.t.Fatal(err)
	}
	l.procs[name] = cmd.Process
	l.t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGCONT)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		logf.Close()
	})
	return cmd.Process
}

// frr starts zebra, bfdd and (withBGP) bgpd in r1 and loads conf.
func (l *lab) frr(conf string, withBGP bool) {
	l.t.Helper()
	needLab(l.t, "vtysh", "/usr/lib/frr/bfdd")
	l.t.Cleanup(func() { _ = os.RemoveAll("/var/run/frr/" + l.r1) })
	daemons := []string{"zebra", "bfdd"}
	if withBGP {
		daemons = append(daemons, "bgpd")
	}
	for _, d := range daemons {
		l.daemon(d, l.r1, "/usr/lib/frr/"+d, "-N", l.r1, "--log", "stdout")
		l.waitFor(10*time.Second, "FRR "+d, func() bool {
			out, _ := exec.Command("vtysh", "-N", l.r1, "-c", "show daemons").CombinedOutput()
			return strings.Contains(string(out), d)
		})
	}
	f := filepath.Join(l.dir, "frr.conf")
	if err := os.WriteFile(f, []byte(conf), 0o644); err != nil {
		l.t.Fatal(err)
	}
	l.run("vtysh", "-N", l.r1, "-f", f)
}

// vtysh runs a show command on r1 and decodes its JSON into v.
func (l *lab) vtysh(cmd string, v any) {
	l.t.Helper()
	out, err := exec.Command("vtysh", "-N", l.r1, "-c", cmd).Output()
	if err != nil {
		l.t.Fatalf("vtysh %q: %v", cmd, err)
	}
	if err := json.Unmarshal(out, v); err != nil {
		l.t.Fatalf("vtysh %q: %v: %s", cmd, err, out)
	}
}

// frrPeer is one entry of FRR 8.4's `show bfd peers json`.
type frrPeer struct {
	Peer           string `json:"peer"`
	Multihop       bool   `json:"multihop"`
	Status         string `json:"status"`
	Uptime         int    `json:"uptime"`
	RemoteID       uint32 `json:"remote-id"`
	ID             uint32 `json:"id"`
	RxInterval     int    `json:"receive-interval"`
	TxInterval     int    `json:"transmit-interval"`
	RemoteRx       int    `json:"remote-receive-interval"`
	RemoteTx       int    `json:"remote-transmit-interval"`
	RemoteMult     int    `json:"remote-detect-multiplier"`
	RemoteEchoRx   int    `json:"remote-echo-receive-interval"`
	Diagnostic     string `json:"diagnostic"`
	DownTimeMillis int    `json:"downtime"`
}

func (l *lab) frrBFD(peer string) (frrPeer, bool) {
	var ps []frrPeer
	l.vtysh("show bfd peers json", &ps)
	for _, p := range ps {
		if p.Peer == peer {
			return p, true
		}
	}
	return frrPeer{}, false
}

// frrCounters is `show bfd peers counters json`.
func (l *lab) frrDowns(peer string) int {
	var cs []struct {
		Peer string `json:"peer"`
		Down int    `json:"session-down"`
	}
	l.vtysh("show bfd peers counters json", &cs)
	for _, c := range cs {
		if c.Peer == peer {
			return c.Down
		}
	}
	return -1
}

func (l *lab) frrBGPState(neighbor string) string {
	var m map[string]struct {
		State string `json:"bgpState"`
	}
	l.vtysh("show bgp neighbors "+neighbor+" json", &m)
	return m[neighbor].State
}

// kernelRoute reports whether r1's kernel FIB has a route for dst.
func (l *lab) kernelRoute(dst string) bool {
	out, err := exec.Command("ip", "-n", l.r1, "route", "show", dst).Output()
	return err == nil && len(strings.TrimSpace(string(out))) > 0
}

func (l *lab) waitFor(d time.Duration, what string, cond func() bool) {
	l.t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			l.logs()
			l.t.Fatalf("after %v: %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (l *lab) logs() {
	files, _ := filepath.Glob(filepath.Join(l.dir, "*.log"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if len(b) > 2500 {
			b = b[len(b)-2500:]
		}
		l.t.Logf("--- %s ---\n%s", filepath.Base(f), b)
	}
}

// helper is the speaker process: the Manager in the sp namespace, driven over
// stdin/stdout with JSON lines.
type helper struct {
	l    *lab
	proc *os.Process
	in   io.WriteCloser

	mu      sync.Mutex
	events  []Event
	replies chan helperReply
}

func (l *lab) startHelper(cfg helperConfig) *helper {
	l.t.Helper()
	b, _ := json.Marshal(cfg)
	logf, err := os.Create(filepath.Join(l.dir, "helper.log"))
	if err != nil {
		l.t.Fatal(err)
	}
	cmd := exec.Command("ip", "netns", "exec", l.sp, os.Args[0], "-test.run=^TestHelperProcess$", "-test.v=false")
	cmd.Env = append(os.Environ(), helperEnv+"="+string(b))
	cmd.Stderr = logf
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		l.t.Fatal(err)
	}
	h := &helper{l: l, proc: cmd.Process, in: in, replies: make(chan helperReply, 16)}
	l.procs["helper"] = cmd.Process
	l.t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGCONT)
		_ = in.Close() // the helper exits at EOF (AdminDown to its peers first)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		logf.Close()
	})
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var r helperReply
			if json.Unmarshal(sc.Bytes(), &r) != nil {
				continue
			}
			if r.Event != nil {
				h.mu.Lock()
				h.events = append(h.events, *r.Event)
				h.mu.Unlock()
				continue
			}
			h.replies <- r
		}
		close(h.replies)
	}()
	return h
}

func (h *helper) do(c helperCmd) helperReply {
	h.l.t.Helper()
	b, _ := json.Marshal(c)
	if _, err := h.in.Write(append(b, '\n')); err != nil {
		h.l.t.Fatalf("helper: %v", err)
	}
	select {
	case r, ok := <-h.replies:
		if !ok {
			h.l.logs()
			h.l.t.Fatal("helper exited")
		}
		if r.Error != "" {
			h.l.t.Fatalf("helper %s: %s", c.Op, r.Error)
		}
		return r
	case <-time.After(10 * time.Second):
		h.l.logs()
		h.l.t.Fatalf("helper did not answer %s", c.Op)
	}
	return helperReply{}
}

func (h *helper) set(specs ...Spec) { h.do(helperCmd{Op: "set", Specs: specs}) }

func (h *helper) status(peer string) Status {
	for _, s := range h.do(helperCmd{Op: "status"}).Status {
		if s.Peer == peer {
			return s
		}
	}
	return Status{}
}

func (h *helper) eventsSince(n int) []Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Event(nil), h.events[n:]...)
}

func (h *helper) eventCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.events)
}

func (h *helper) stop() { _ = h.proc.Signal(syscall.SIGSTOP) }
func (h *helper) cont() { _ = h.proc.Signal(syscall.SIGCONT) }

const (
	sigstop = syscall.SIGSTOP
	sigcont = syscall.SIGCONT
)
