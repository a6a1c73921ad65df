package lab

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/bgplb/bgplb/topologies/backend"
)

// ControlPlaneNode and HostNode name the log sources that are not lab nodes.
const (
	ControlPlaneNode = "controlplane"
	HostNode         = "host"
)

// LogFiles are the log files of a node of a running lab: its processes' logs, or for
// "controlplane" the etcd and apiserver logs, for "host" the controller's and service
// plane's.
func LogFiles(ctx context.Context, b backend.Backend, root, name, node string) ([]string, error) {
	dir, _ := filepath.Abs(filepath.Join(root, name))
	rec, err := LoadRecord(dir)
	if err != nil {
		return nil, err
	}
	if rec == nil {
		return nil, fmt.Errorf("lab %s is not up (no %s in %s)", name, RecordFile, dir)
	}
	switch node {
	case ControlPlaneNode:
		return filepath.Glob(filepath.Join(rec.ControlPlane, "*.log"))
	case HostNode:
		var out []string
		for _, hp := range rec.HostProcesses {
			out = append(out, hp.Log)
		}
		return out, nil
	}
	if rec.Lab == nil || rec.Lab.Node(node) == nil {
		return nil, fmt.Errorf("lab %s has no node %q (nodes, %q and %q have logs)", name, node, ControlPlaneNode, HostNode)
	}
	st, err := b.Inspect(ctx, name)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, n := range st.Nodes {
		if n.Name != node {
			continue
		}
		for _, p := range n.Processes {
			if p.Log != "" && !seen[p.Log] {
				seen[p.Log] = true
				out = append(out, p.Log)
			}
		}
	}
	// Daemons may log beside their tracked process log (FRR per daemon).
	more, _ := filepath.Glob(filepath.Join(dir, node, "*.log"))
	for _, m := range more {
		if !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	sort.Strings(out)
	return out, nil
}

// Follow copies what is appended to files to w until ctx ends, polling (the lab's logs
// are plain files a few processes append to).
func Follow(ctx context.Context, w io.Writer, files []string, offsets map[string]int64) error {
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		for _, f := range files {
			fh, err := os.Open(f)
			if err != nil {
				continue
			}
			if _, err := fh.Seek(offsets[f], io.SeekStart); err == nil {
				n, _ := io.Copy(w, fh)
				offsets[f] += n
			}
			fh.Close()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// Exec runs a command in a node of a running lab (its namespace): router CLIs reach
// the node's daemon without flags.
func Exec(ctx context.Context, b backend.Backend, name, node string, argv []string, eio backend.ExecIO) error {
	return b.Exec(ctx, name, node, argv, eio)
}

// Running lists the labs with a record under root.
func Running(root string) []string {
	matches, _ := filepath.Glob(filepath.Join(root, "*", RecordFile))
	var out []string
	for _, m := range matches {
		out = append(out, filepath.Base(filepath.Dir(m)))
	}
	sort.Strings(out)
	return out
}
