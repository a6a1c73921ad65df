package bfdio

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bgplb/bgplb/testing/nsrig"
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
	*nsrig.Rig
	sp, r1 string // namespaces
	procs  map[string]*os.Process
}

func newLab(t testing.TB) *lab {
	t.Helper()
	l := &lab{Rig: nsrig.New(t, "bgplbtest-bfd"), procs: map[string]*os.Process{}}
	l.sp, l.r1 = l.Netns("sp"), l.Netns("r1")
	l.Veth(l.sp, l.r1, "sp-r1", "r1-sp", []string{"192.0.2.1/30", "2001:db8:1::1/64"}, []string{"192.0.2.2/30", "2001:db8:1::2/64"})
	return l
}

// frr starts zebra, bfdd and (withBGP) bgpd in r1 and loads conf.
func (l *lab) frr(conf string, withBGP bool) {
	l.T.Helper()
	nsrig.Need(l.T, "vtysh", "/usr/lib/frr/bfdd")
	daemons := []string{"zebra", "bfdd"}
	if withBGP {
		daemons = append(daemons, "bgpd")
	}
	for name, p := range l.FRR(l.r1, conf, daemons...) {
		l.procs[name] = p
	}
}

// vtysh runs a show command on r1 and decodes its JSON into v.
func (l *lab) vtysh(cmd string, v any) { nsrig.Vtysh(l.T, l.r1, cmd, v) }

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
	l.T.Helper()
	b, _ := json.Marshal(cfg)
	logf, err := os.Create(filepath.Join(l.Dir, "helper.log"))
	if err != nil {
		l.T.Fatal(err)
	}
	cmd := exec.Command("ip", "netns", "exec", l.sp, os.Args[0], "-test.run=^TestHelperProcess$", "-test.v=false")
	cmd.Env = append(os.Environ(), helperEnv+"="+string(b))
	cmd.Stderr = logf
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		l.T.Fatal(err)
	}
	h := &helper{l: l, proc: cmd.Process, in: in, replies: make(chan helperReply, 16)}
	l.procs["helper"] = cmd.Process
	l.T.Cleanup(func() {
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
	h.l.T.Helper()
	b, _ := json.Marshal(c)
	if _, err := h.in.Write(append(b, '\n')); err != nil {
		h.l.T.Fatalf("helper: %v", err)
	}
	select {
	case r, ok := <-h.replies:
		if !ok {
			h.l.Logs()
			h.l.T.Fatal("helper exited")
		}
		if r.Error != "" {
			h.l.T.Fatalf("helper %s: %s", c.Op, r.Error)
		}
		return r
	case <-time.After(10 * time.Second):
		h.l.Logs()
		h.l.T.Fatalf("helper did not answer %s", c.Op)
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
