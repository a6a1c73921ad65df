package netns

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
)

// Cmd is one short command: ip, sysctl, vtysh, birdc...
type Cmd struct {
	Name  string
	Args  []string
	Stdin io.Reader
	// Stdout and Stderr, when nil, are captured: Run returns standard output and puts
	// the tail of standard error into its error.
	Stdout, Stderr io.Writer
}

// String is the command as a shell line, for logs, errors and recorded test plans.
func (c Cmd) String() string {
	return strings.Join(append([]string{c.Name}, c.Args...), " ")
}

// Daemon is a long-lived process: a routing daemon, a speaker, the service plane.
type Daemon struct {
	Args []string // Args[0] is the program
	Env  []string // added to the starter's environment
	Log  string   // stdout and stderr are appended here
}

// Runner is everything the backend does to the machine besides writing its own files:
// commands, processes and signals. The backend never calls os/exec itself, so unit
// tests record the exact plan through a fake Runner.
type Runner interface {
	// Run runs c to completion and returns its standard output (when c.Stdout is nil).
	Run(ctx context.Context, c Cmd) ([]byte, error)
	// Start starts d in a process group of its own and returns its PID and start time
	// (clock ticks since boot, /proc/PID/stat field 22), which together name it even
	// after the PID is reused.
	Start(d Daemon) (pid int, start uint64, err error)
	// Stat reports a live process; an error when it is gone or a zombie.
	Stat(pid int) (ProcStat, error)
	// Signal sends sig to pid (a negative pid is a process group).
	Signal(pid int, sig syscall.Signal) error
	// LookPath finds a program.
	LookPath(name string) (string, error)
}

// OSRunner runs on this machine.
type OSRunner struct{}

// Run implements Runner.
func (OSRunner) Run(ctx context.Context, c Cmd) ([]byte, error) {
	var out, errb bytes.Buffer
	x := exec.CommandContext(ctx, c.Name, c.Args...)
	x.Stdin, x.Stdout, x.Stderr = c.Stdin, c.Stdout, c.Stderr
	if c.Stdout == nil {
		x.Stdout = &out
	}
	if c.Stderr == nil {
		x.Stderr = &errb
	}
	if err := x.Run(); err != nil {
		if msg := tail(errb.String()+out.String(), 1000); msg != "" {
			return out.Bytes(), fmt.Errorf("%s: %w: %s", c, err, msg)
		}
		return out.Bytes(), fmt.Errorf("%s: %w", c, err)
	}
	return out.Bytes(), nil
}

// Start implements Runner. The process gets its own group (so a signal reaches what it
// forks) and is reaped by a goroutine, so a stopped daemon does not linger as a zombie
// while this process lives; once this process exits, init adopts the daemons.
func (OSRunner) Start(d Daemon) (int, uint64, error) {
	if len(d.Args) == 0 {
		return 0, 0, errors.New("start: no program")
	}
	logf, err := os.OpenFile(d.Log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return 0, 0, fmt.Errorf("start %s: %w", d.Args[0], err)
	}
	defer logf.Close()
	x := exec.Command(d.Args[0], d.Args[1:]...)
	x.Env = append(os.Environ(), d.Env...)
	x.Stdout, x.Stderr = logf, logf
	x.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := x.Start(); err != nil {
		return 0, 0, fmt.Errorf("start %s: %w", strings.Join(d.Args, " "), err)
	}
	pid := x.Process.Pid
	go func() { _ = x.Wait() }()
	st, err := OSRunner{}.Stat(pid)
	if err != nil {
		return pid, 0, fmt.Errorf("start %s: exited at once (see %s): %w", strings.Join(d.Args, " "), d.Log, err)
	}
	return pid, st.Start, nil
}

// ProcStat is what the backend needs to know of a process.
type ProcStat struct {
	State byte   // R, S, D, T (stopped: frozen) ...
	Start uint64 // clock ticks since boot
}

// Stat implements Runner from /proc/PID/stat.
func (OSRunner) Stat(pid int) (ProcStat, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ProcStat{}, err
	}
	return parseStat(string(b))
}

// parseStat reads fields 3 (state) and 22 (starttime) of /proc/PID/stat; a zombie is an
// error. The command name (field 2) may hold spaces and parentheses, so fields are
// counted from the last ')'.
func parseStat(s string) (ProcStat, error) {
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return ProcStat{}, errors.New("malformed /proc stat")
	}
	f := strings.Fields(s[i+1:]) // f[0] is field 3 (state)
	if len(f) < 20 || f[0] == "" {
		return ProcStat{}, errors.New("short /proc stat")
	}
	if f[0] == "Z" || f[0] == "X" {
		return ProcStat{}, errors.New("process is a zombie")
	}
	st, err := strconv.ParseUint(f[19], 10, 64)
	return ProcStat{State: f[0][0], Start: st}, err
}

// Signal implements Runner.
func (OSRunner) Signal(pid int, sig syscall.Signal) error { return syscall.Kill(pid, sig) }

// LookPath implements Runner.
func (OSRunner) LookPath(name string) (string, error) { return exec.LookPath(name) }

// tail returns the last n bytes of s, trimmed, starting at a line when it can.
func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	s = s[len(s)-n:]
	if i := strings.IndexByte(s, '\n'); i >= 0 && i < len(s)-1 {
		s = s[i+1:]
	}
	return s
}
