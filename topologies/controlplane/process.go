package controlplane

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

// Command is one long-running process of the control plane.
type Command struct {
	Name    string   // short name used in logs and the PID file: "etcd", "kube-apiserver"
	Path    string   // binary
	Args    []string // arguments, without the binary
	LogPath string   // stdout and stderr are appended here, so the process outlives no pipe
	// DieWithParent asks the kernel to kill the process when its starter dies
	// (tests). The lab leaves it false: its control plane outlives `lab up`.
	DieWithParent bool
}

// Process is a started command. Signals go to its whole process group, so
// anything it forks goes with it.
type Process interface {
	PID() int
	SignalGroup(sig syscall.Signal) error
	// Done is closed once the process has exited and been reaped.
	Done() <-chan struct{}
	// Err is the exit error once Done is closed.
	Err() error
}

// Starter starts processes. The default, ExecStarter, uses os/exec; tests of the
// orchestration may inject another.
type Starter interface {
	Start(ctx context.Context, c Command) (Process, error)
}

// ExecStarter starts each command in a process group of its own (Setpgid),
// with stdin from /dev/null and output to the command's log file.
type ExecStarter struct{}

// Start implements Starter. The context bounds only the start itself: the
// process runs until it is signalled, never until ctx ends, because the lab's
// control plane must survive the CLI call that started it.
func (ExecStarter) Start(_ context.Context, c Command) (Process, error) {
	logf, err := os.OpenFile(c.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open %s log: %w", c.Name, err)
	}
	cmd := exec.Command(c.Path, c.Args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if c.DieWithParent {
		cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s (%s): %w", c.Name, c.Path, err)
	}
	p := &execProcess{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		logf.Close()
		close(p.done)
	}()
	return p, nil
}

type execProcess struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error // written before done is closed
}

func (p *execProcess) PID() int              { return p.cmd.Process.Pid }
func (p *execProcess) Done() <-chan struct{} { return p.done }

func (p *execProcess) Err() error {
	<-p.done
	return p.err
}

// SignalGroup signals the process group led by the process (its PID is the
// group ID because of Setpgid). A group that is already gone is not an error.
func (p *execProcess) SignalGroup(sig syscall.Signal) error {
	return signalGroup(p.PID(), sig)
}

func signalGroup(pgid int, sig syscall.Signal) error {
	if err := syscall.Kill(-pgid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("signal %v to process group %d: %w", sig, pgid, err)
	}
	return nil
}
