package lab

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	"github.com/bgplb/bgplb/topologies/procstat"
)

// startHost starts a long-lived host process in a process group of its own, output to
// its log, and returns its record. It outlives the `lab up` that started it.
func startHost(name string, args []string, log string) (HostProcess, error) {
	f, err := os.OpenFile(log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return HostProcess{}, fmt.Errorf("%s: %w", name, err)
	}
	defer f.Close()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return HostProcess{}, fmt.Errorf("start %s: %w", name, err)
	}
	hp := HostProcess{Name: name, PID: cmd.Process.Pid, Args: args, Log: log}
	hp.Start, _ = procStart(hp.PID)
	// Reap it while we live; record the exit code if it ends during Up.
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
		code := cmd.ProcessState.ExitCode()
		hp.ExitCode = &code
	case <-time.After(300 * time.Millisecond):
	}
	return hp, nil
}

func procStart(pid int) (uint64, error) {
	st, err := procstat.Read(pid)
	return st.Start, err
}

// Running says the recorded process is still the same live process.
func (h HostProcess) Running() bool {
	st, err := procstat.Read(h.PID)
	return err == nil && st.Start == h.Start && !st.Dead()
}

// stopHost stops a host process's group: SIGTERM, then SIGKILL after grace.
func stopHost(h HostProcess, grace time.Duration) error {
	if h.PID <= 1 || !h.Running() {
		return nil
	}
	_ = syscall.Kill(-h.PID, syscall.SIGTERM)
	_ = syscall.Kill(h.PID, syscall.SIGTERM)
	deadline := time.Now().Add(grace)
	for time.Now().Before(deadline) {
		if !h.Running() {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = syscall.Kill(-h.PID, syscall.SIGKILL)
	_ = syscall.Kill(h.PID, syscall.SIGKILL)
	for range 100 {
		if !h.Running() {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return errors.New("still running after SIGKILL: " + h.Name + " pid " + strconv.Itoa(h.PID))
}

// RestartHost stops a host process of a running lab ("controller") as SIGTERM
// would in a rolling update, and starts it again with the same arguments: the
// scenario of a controller restart. dir is the lab's directory (Record.Dir).
func RestartHost(dir, process string) error {
	rec, err := LoadRecord(dir)
	if err != nil {
		return err
	}
	if rec == nil {
		return fmt.Errorf("lab: no record in %s", dir)
	}
	for i, h := range rec.HostProcesses {
		if h.Name != process {
			continue
		}
		if err := stopHost(h, 10*time.Second); err != nil {
			return fmt.Errorf("lab: stop %s: %w", process, err)
		}
		nh, err := startHost(h.Name, h.Args, h.Log)
		if err != nil {
			return err
		}
		if nh.ExitCode != nil {
			return fmt.Errorf("lab: %s exited at once after restart (code %d): see %s", process, *nh.ExitCode, h.Log)
		}
		rec.HostProcesses[i] = nh
		return rec.save()
	}
	return fmt.Errorf("lab: no host process %q (the lab runs %d)", process, len(rec.HostProcesses))
}
