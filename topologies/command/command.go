// Package command is the one way the lab runs programs: short commands (ip, vtysh,
// docker, containerlab...) and long-lived daemons, on this machine. Packages that run
// programs take a narrow interface of their own that OS satisfies, so their tests
// record the exact commands through a fake instead of running them.
package command

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"

	"github.com/bgplb/bgplb/topologies/procstat"
)

// Cmd is one short command.
type Cmd struct {
	Name  string
	Args  []string
	Stdin io.Reader
	// Stdout and Stderr, when nil, are captured: Run returns standard output and puts
	// the tail of standard error into its error.
	Stdout, Stderr io.Writer
}

// New is Cmd{Name: name, Args: args}.
func New(name string, args ...string) Cmd { return Cmd{Name: name, Args: args} }

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

// Stat is what callers need to know of a running process.
type Stat = procstat.Stat

// OS runs on this machine.
type OS struct{}

// Run runs c to completion and returns its standard output (when c.Stdout is nil). A
// failure's error names the command and carries the tail of what it printed.
func (OS) Run(ctx context.Context, c Cmd) ([]byte, error) {
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
		if msg := Tail(errb.String()+out.String(), 1000); msg != "" {
			return out.Bytes(), fmt.Errorf("%s: %w: %s", c, err, msg)
		}
		return out.Bytes(), fmt.Errorf("%s: %w", c, err)
	}
	return out.Bytes(), nil
}

// Start starts d in a process group of its own and returns its PID and start time
// (clock ticks since boot, /proc/PID/stat field 22), which together name it even after
// the PID is reused. The process is reaped by a goroutine, so a stopped daemon does not
// linger as a zombie while this process lives; once this process exits, init adopts it.
func (OS) Start(d Daemon) (int, uint64, error) {
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
	st, err := OS{}.Stat(pid)
	if err != nil {
		return pid, 0, fmt.Errorf("start %s: exited at once (see %s): %w", strings.Join(d.Args, " "), d.Log, err)
	}
	return pid, st.Start, nil
}

// Stat reads /proc/PID/stat; a process that has exited (a zombie not yet reaped) is an
// error.
func (OS) Stat(pid int) (Stat, error) {
	st, err := procstat.Read(pid)
	if err != nil {
		return Stat{}, err
	}
	if st.Dead() {
		return Stat{}, errors.New("process is a zombie")
	}
	return st, nil
}

// Signal sends sig to pid (a negative pid is a process group).
func (OS) Signal(pid int, sig syscall.Signal) error { return syscall.Kill(pid, sig) }

// LookPath finds a program.
func (OS) LookPath(name string) (string, error) { return exec.LookPath(name) }

// Tail returns the last n bytes of s, trimmed, starting at a line when it can.
func Tail(s string, n int) string {
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
