package controlplane

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/bgplb/bgplb/topologies/procstat"
)

// pidFileName lists "name pid" per line, in start order, so a later run (or
// `lab down` from another process) can stop what a crashed run left behind.
const pidFileName = "pids"

// DefaultGrace is how long a process gets between SIGTERM and SIGKILL.
const DefaultGrace = 5 * time.Second

type pidEntry struct {
	name string
	pid  int
}

func appendPID(stateDir, name string, pid int) error {
	f, err := os.OpenFile(filepath.Join(stateDir, pidFileName), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("record %s PID: %w", name, err)
	}
	defer f.Close()
	if _, err := fmt.Fprintf(f, "%s %d\n", name, pid); err != nil {
		return fmt.Errorf("record %s PID: %w", name, err)
	}
	return nil
}

func readPIDs(stateDir string) ([]pidEntry, error) {
	data, err := os.ReadFile(filepath.Join(stateDir, pidFileName))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read PID file: %w", err)
	}
	var out []pidEntry
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		name, num, ok := strings.Cut(strings.TrimSpace(sc.Text()), " ")
		pid, err := strconv.Atoi(num)
		if !ok || err != nil || pid <= 1 {
			return nil, fmt.Errorf("PID file %s: bad line %q", filepath.Join(stateDir, pidFileName), sc.Text())
		}
		out = append(out, pidEntry{name: name, pid: pid})
	}
	return out, nil
}

// Cleanup stops every process a control plane recorded in stateDir — SIGTERM
// to its group, SIGKILL after DefaultGrace — and removes the PID file. It is
// for runs that crashed or live in another process (`lab down`); a PID is only
// signalled while its command line still names stateDir, so a recycled PID of
// an unrelated process is left alone. Safe to call when nothing runs.
func Cleanup(stateDir string) error {
	abs, err := filepath.Abs(stateDir)
	if err != nil {
		return fmt.Errorf("cleanup %s: %w", stateDir, err)
	}
	entries, err := readPIDs(abs)
	if err != nil {
		return err
	}
	var errs []error
	// Reverse start order: the apiserver goes before the etcd it writes to.
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		if !ownedBy(e.pid, abs) {
			continue
		}
		if err := stopGroup(e.pid, DefaultGrace, func() bool { return !alive(e.pid) }); err != nil {
			errs = append(errs, fmt.Errorf("%s (pid %d): %w", e.name, e.pid, err))
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if err := os.Remove(filepath.Join(abs, pidFileName)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove PID file: %w", err)
	}
	return nil
}

// stopGroup sends SIGTERM to the group, waits up to grace for gone() and then
// sends SIGKILL and waits again (bounded, so a stuck kernel state is reported).
func stopGroup(pgid int, grace time.Duration, gone func() bool) error {
	if err := signalGroup(pgid, syscall.SIGTERM); err != nil {
		return err
	}
	if waitFor(gone, grace) {
		return nil
	}
	if err := signalGroup(pgid, syscall.SIGKILL); err != nil {
		return err
	}
	if waitFor(gone, 10*time.Second) {
		return nil
	}
	return fmt.Errorf("still running 10s after SIGKILL")
}

func waitFor(cond func() bool, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// alive reports whether pid exists and is not a zombie (a zombie has exited;
// only its parent's wait is missing).
func alive(pid int) bool {
	st, err := procstat.Read(pid)
	return err == nil && !st.Dead()
}

// ownedBy reports whether the live process pid has stateDir in its command line.
func ownedBy(pid int, stateDir string) bool {
	if !alive(pid) {
		return false
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	// With the separator, /tmp/cp does not claim the processes of /tmp/cp2.
	return err == nil && bytes.Contains(cmdline, []byte(stateDir+string(filepath.Separator)))
}

// PIDOf returns the PID the control plane in stateDir recorded for a process
// ("kube-apiserver", "etcd"): scenarios freeze the apiserver to take the API away.
func PIDOf(stateDir, name string) (int, error) {
	es, err := readPIDs(stateDir)
	if err != nil {
		return 0, err
	}
	for i := len(es) - 1; i >= 0; i-- { // the latest start wins
		if es[i].name == name {
			return es[i].pid, nil
		}
	}
	return 0, fmt.Errorf("controlplane: no %s recorded in %s", name, stateDir)
}
