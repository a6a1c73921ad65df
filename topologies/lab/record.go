package lab

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/bgplb/bgplb/topologies/model"
)

// RecordFile is the lab's record under its directory: what `lab up` started, so
// `status`, `exec`, `logs` and `down` work from another process, also after a crash.
const RecordFile = "lab.json"

// Phases of a lab's record.
const (
	PhaseStarting = "starting" // Up is running, or crashed: Down cleans it
	PhaseUp       = "up"
	PhaseFailed   = "failed" // Up returned an error; Down cleans it
)

// Record is lab.json.
type Record struct {
	Name    string `json:"name"`
	Backend string `json:"backend"`
	// Topology is where the topology came from: a shipped name or a file path.
	Topology string    `json:"topology"`
	Dir      string    `json:"dir"`
	Phase    string    `json:"phase"`
	Error    string    `json:"error,omitempty"`
	Since    time.Time `json:"since"`
	// Lab is the resolved lab, so later commands need not resolve again.
	Lab *model.Lab `json:"lab,omitempty"`
	// ControlPlane is the control plane's state dir; Kubeconfig and APIServer reach it.
	ControlPlane string `json:"controlPlane,omitempty"`
	Kubeconfig   string `json:"kubeconfig,omitempty"`
	APIServer    string `json:"apiServer,omitempty"`
	// HostProcesses run on the host (controller, service plane); node processes are the
	// backend's to track.
	HostProcesses []HostProcess `json:"hostProcesses,omitempty"`
	// Steps are the timings of the Up that made this lab.
	Steps []Step `json:"steps,omitempty"`
	// Notes are facts a user should see in status ("the controller is a placeholder").
	Notes []string `json:"notes,omitempty"`
}

// Step is one timed step of Up.
type Step struct {
	Name     string        `json:"name"`
	Duration time.Duration `json:"duration"`
}

// HostProcess is a process Up started on the host. Start is its start time in clock
// ticks since boot (/proc/PID/stat field 22), so a recycled PID is never signalled.
type HostProcess struct {
	Name  string   `json:"name"`
	PID   int      `json:"pid"`
	Start uint64   `json:"start"`
	Args  []string `json:"args"`
	Log   string   `json:"log"`
	// ExitCode is set when Up saw the process exit (placeholders exit at once).
	ExitCode *int `json:"exitCode,omitempty"`
}

// LoadRecord reads the record of a lab; nil, nil when there is none.
func LoadRecord(dir string) (*Record, error) {
	data, err := os.ReadFile(filepath.Join(dir, RecordFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("lab record: %w", err)
	}
	var r Record
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("lab record %s: %w", filepath.Join(dir, RecordFile), err)
	}
	return &r, nil
}

// save writes the record atomically (rename), so a crash never leaves half a file.
func (r *Record) save() error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("lab record: %w", err)
	}
	if err := os.MkdirAll(r.Dir, 0o755); err != nil {
		return fmt.Errorf("lab record: %w", err)
	}
	tmp := filepath.Join(r.Dir, RecordFile+".tmp")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("lab record: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(r.Dir, RecordFile)); err != nil {
		return fmt.Errorf("lab record: %w", err)
	}
	return nil
}

func (r *Record) note(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}
