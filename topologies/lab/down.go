package lab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bgplb/bgplb/topologies/backend"
	"github.com/bgplb/bgplb/topologies/controlplane"
)

// DownOptions configure Down.
type DownOptions struct {
	Name string
	// Root holds the labs; default out/lab.
	Root    string
	Backend backend.Backend
	// KeepLogs keeps every log under <Root>/<name>/logs/ and removes the rest.
	KeepLogs bool
}

// hostGrace is how long host processes get between SIGTERM and SIGKILL.
const hostGrace = 2 * time.Second

// Down stops everything a lab runs and removes it: host processes, the control plane,
// the backend's nodes, and the lab directory (logs kept when asked). It works from the
// record and from the backend's own state, so it also cleans a crashed or half-finished
// Up, and succeeds when there is nothing to do.
func Down(ctx context.Context, o DownOptions) error {
	if o.Name == "" || strings.ContainsAny(o.Name, "/.") {
		return fmt.Errorf("lab down: bad lab name %q", o.Name)
	}
	if o.Root == "" {
		o.Root = filepath.Join("out", "lab")
	}
	dir, err := filepath.Abs(filepath.Join(o.Root, o.Name))
	if err != nil {
		return err
	}
	rec, recErr := LoadRecord(dir)
	var errs []error
	if recErr != nil {
		errs = append(errs, recErr) // still clean what the other sources show
	}
	if rec != nil {
		for _, hp := range rec.HostProcesses {
			errs = append(errs, stopHost(hp, hostGrace))
		}
	}
	// The control plane records its own PIDs; Cleanup checks each still belongs to it.
	if err := controlplane.Cleanup(filepath.Join(dir, "controlplane")); err != nil && !errors.Is(err, os.ErrNotExist) {
		errs = append(errs, fmt.Errorf("control plane: %w", err))
	}
	if o.KeepLogs {
		errs = append(errs, keepLogs(dir))
	}
	if o.Backend != nil {
		errs = append(errs, o.Backend.Down(ctx, o.Name))
	}
	errs = append(errs, removeDir(dir, o.KeepLogs))
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("lab %s down: %w", o.Name, err)
	}
	return nil
}

// keepLogs copies every *.log under dir (except logs/ itself) into dir/logs, keeping
// their relative paths, before the backend removes its node directories.
func keepLogs(dir string) error {
	logs := filepath.Join(dir, "logs")
	return filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil // a vanishing file is not a failure of Down
		}
		if d.IsDir() && p == logs {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".log") {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		return copyFile(p, filepath.Join(logs, rel))
	})
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return nil
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	return errors.Join(err, out.Close())
}

// removeDir removes the lab directory, or all of it but logs/.
func removeDir(dir string, keepLogs bool) error {
	if !keepLogs {
		return os.RemoveAll(dir)
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range entries {
		if e.Name() != "logs" {
			errs = append(errs, os.RemoveAll(filepath.Join(dir, e.Name())))
		}
	}
	return errors.Join(errs...)
}
