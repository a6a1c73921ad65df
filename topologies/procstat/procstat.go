// Package procstat reads what the lab needs of a process from /proc/PID/stat:
// its state (running, stopped by a freeze, a zombie) and its start time, which
// tells a recorded process from a later one that reuses its PID.
package procstat

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Stat is fields 3, 14, 15 and 22 of /proc/PID/stat.
type Stat struct {
	State byte   // R, S, D, T (stopped), Z (zombie) ...
	Start uint64 // clock ticks since boot
	// CPU is user plus system time, in clock ticks (USER_HZ, 100 on Linux).
	CPU uint64
}

// TicksPerSecond is USER_HZ: the unit of Start and CPU on every Linux ABI.
const TicksPerSecond = 100

// CPUTime is the process's user plus system time.
func (s Stat) CPUTime() time.Duration {
	return time.Duration(s.CPU) * time.Second / TicksPerSecond
}

// Stopped says the process is stopped by a signal (SIGSTOP: a frozen daemon).
func (s Stat) Stopped() bool { return s.State == 'T' }

// Dead says the process has exited, whether or not its parent has reaped it.
func (s Stat) Dead() bool { return s.State == 'Z' || s.State == 'X' }

// Read reads pid's stat.
func Read(pid int) (Stat, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return Stat{}, err
	}
	st, err := Parse(string(data))
	if err != nil {
		return Stat{}, fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	return st, nil
}

// Parse parses one /proc/PID/stat line. The command name (field 2) may hold
// spaces and parentheses, so fields are counted from the last ')'.
func Parse(s string) (Stat, error) {
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return Stat{}, errors.New("malformed: no ')' after the command name")
	}
	f := strings.Fields(s[i+1:]) // f[0] is field 3
	if len(f) < 20 {
		return Stat{}, errors.New("short: fewer than 22 fields")
	}
	start, err := strconv.ParseUint(f[19], 10, 64)
	if err != nil {
		return Stat{}, fmt.Errorf("starttime: %w", err)
	}
	utime, err1 := strconv.ParseUint(f[11], 10, 64)
	stime, err2 := strconv.ParseUint(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return Stat{}, fmt.Errorf("utime/stime: %w", err)
	}
	return Stat{State: f[0][0], Start: start, CPU: utime + stime}, nil
}
