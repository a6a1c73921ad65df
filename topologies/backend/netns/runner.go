package netns

import (
	"context"
	"syscall"

	"github.com/bgplb/bgplb/topologies/command"
)

// Cmd, Daemon and ProcStat are the repository's one command runner's types.
type (
	Cmd      = command.Cmd
	Daemon   = command.Daemon
	ProcStat = command.Stat
)

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
type OSRunner = command.OS

func tail(s string, n int) string { return command.Tail(s, n) }
