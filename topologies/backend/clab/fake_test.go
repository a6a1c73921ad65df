package clab

import (
	"github.com/bgplb/bgplb/topologies/command"

	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bgplb/bgplb/topologies"
	"github.com/bgplb/bgplb/topologies/backend"
	"github.com/bgplb/bgplb/topologies/model"
)

// fakeRunner records every command and answers from a script keyed by command-line
// prefix (longest wins); unscripted commands succeed with no output.
type fakeRunner struct {
	calls   []string
	onPath  map[string]bool
	replies map[string]reply
}

type reply struct {
	out string
	err error
}

func newFake(onPath ...string) *fakeRunner {
	f := &fakeRunner{onPath: map[string]bool{}, replies: map[string]reply{}}
	for _, p := range onPath {
		f.onPath[p] = true
	}
	return f
}

func (f *fakeRunner) Run(_ context.Context, c command.Cmd) ([]byte, error) {
	line := c.String()
	f.calls = append(f.calls, line)
	best := ""
	for prefix := range f.replies {
		if strings.HasPrefix(line, prefix) && len(prefix) > len(best) {
			best = prefix
		}
	}
	if best == "" {
		return nil, nil
	}
	r := f.replies[best]
	return []byte(r.out), r.err
}

func (f *fakeRunner) LookPath(name string) (string, error) {
	if f.onPath[name] {
		return "/usr/bin/" + name, nil
	}
	return "", fmt.Errorf("exec: %q: executable file not found in $PATH", name)
}

// birdImage stands in for the image a user names for BIRD routers (none is published).
const birdImage = "bgplb/lab-bird:2.0.12"

// labFixture is a backend on a recording runner with every tool present, and a shipped
// topology resolved with the capabilities that backend reports.
type labFixture struct {
	b   *Backend
	f   *fakeRunner
	lab *model.Lab
	dir string
}

func newLab(t *testing.T, topology string) *labFixture {
	t.Helper()
	f := newFake("docker", "containerlab", "kind")
	root := t.TempDir()
	b := New(Options{Root: root, Runner: f, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:    func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) },
		Images: map[string]string{"bird": birdImage}})
	caps, err := b.Capabilities(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	raw, err := topologies.Open(topology)
	if err != nil {
		t.Fatal(err)
	}
	top, err := model.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	lab, err := model.Resolve(top, caps)
	if err != nil {
		t.Fatalf("%s does not resolve with the clab backend's capabilities: %v", topology, err)
	}
	f.calls = nil
	return &labFixture{b: b, f: f, lab: lab, dir: filepath.Join(root, lab.Name)}
}

func (x *labFixture) up(t *testing.T) {
	t.Helper()
	if err := x.b.Up(context.Background(), x.lab, backend.UpOptions{Dir: x.dir}); err != nil {
		t.Fatal(err)
	}
}

func wantCalls(t *testing.T, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("commands:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}
