package netns

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bgplb/bgplb/topologies/kind"
)

// recorder is a Runner that records every command, process start and signal, and
// answers from a script: the first rule whose prefix matches a command line wins.
type recorder struct {
	mu      sync.Mutex
	log     []string
	rules   []rule
	nextPID int
	live    map[int]ProcStat
	missing map[string]bool // programs LookPath does not find
}

type rule struct {
	prefix      string
	out         string
	err         error
	inNamespace bool
}

func newRecorder() *recorder {
	return &recorder{nextPID: 1000, live: map[int]ProcStat{}, missing: map[string]bool{}}
}

func (r *recorder) on(prefix, out string, err error) {
	r.rules = append(r.rules, rule{prefix: prefix, out: out, err: err})
}

// onInNamespace answers a command run inside any namespace (`ip netns exec NS prefix...`).
func (r *recorder) onInNamespace(prefix, out string, err error) {
	r.rules = append(r.rules, rule{prefix: prefix, out: out, err: err, inNamespace: true})
}

func (r *recorder) Run(_ context.Context, c Cmd) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	line := c.String()
	if c.Stdin != nil {
		b, _ := io.ReadAll(c.Stdin)
		line += " <<\n" + strings.TrimSuffix(string(b), "\n")
	}
	r.log = append(r.log, line)
	for _, ru := range r.rules {
		cmd := c.String()
		if ru.inNamespace && c.Name == "ip" && len(c.Args) > 3 && c.Args[0] == "netns" && c.Args[1] == "exec" {
			cmd = strings.Join(c.Args[3:], " ")
		}
		if strings.HasPrefix(cmd, ru.prefix) {
			if c.Stdout != nil {
				_, _ = io.WriteString(c.Stdout, ru.out)
			}
			return []byte(ru.out), ru.err
		}
	}
	return nil, nil
}

func (r *recorder) Start(d Daemon) (int, uint64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.nextPID++
	r.live[r.nextPID] = ProcStat{State: 'S', Start: 77}
	r.log = append(r.log, fmt.Sprintf("start[%d] %s > %s", r.nextPID, strings.Join(d.Args, " "), d.Log))
	return r.nextPID, 77, nil
}

func (r *recorder) Stat(pid int) (ProcStat, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st, ok := r.live[pid]
	if !ok {
		return ProcStat{}, errors.New("no such process")
	}
	return st, nil
}

// Signal records the signal; SIGTERM and SIGKILL end the process, SIGSTOP/SIGCONT
// freeze and thaw it.
func (r *recorder) Signal(pid int, sig syscall.Signal) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := pid
	if p < 0 {
		p = -p
	}
	st, ok := r.live[p]
	if !ok {
		return syscall.ESRCH
	}
	r.log = append(r.log, fmt.Sprintf("kill -%d %d", sig, pid))
	switch sig {
	case syscall.SIGTERM, syscall.SIGKILL:
		delete(r.live, p)
	case syscall.SIGSTOP:
		st.State = 'T'
		r.live[p] = st
	case syscall.SIGCONT:
		st.State = 'S'
		r.live[p] = st
	}
	return nil
}

func (r *recorder) LookPath(name string) (string, error) {
	if r.missing[name] {
		return "", errors.New("not found")
	}
	return "/usr/bin/" + name, nil
}

func (r *recorder) commands() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.log...)
}

// testBackend is a Backend on a recorder, with FRR's dirs and the labs under temp dirs.
func testBackend(t *testing.T, rec *recorder) (*Backend, string) {
	t.Helper()
	root := t.TempDir()
	b := New(Options{
		Root: root + "/labs", Runner: rec, Logger: slog.New(slog.DiscardHandler),
		Env: kind.Env{SysConfDir: root + "/etc", RunDir: root + "/run", LibDir: "/usr/lib"},
		Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }, Poll: time.Millisecond,
		Sockets: fakeSockets{},
	})
	return b, root
}

type fakeSockets struct{ md5, minTTL error }

func (f fakeSockets) MD5() error    { return f.md5 }
func (f fakeSockets) MinTTL() error { return f.minTTL }
