package bird

import (
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/bgplb/bgplb/topologies/kind"
)

// Kind is BIRD 2 (Debian's bird2): rendered to bird.conf, run natively by the netns
// backend with its own control socket, read through birdc.
type Kind struct{}

// New returns the BIRD kind.
func New() Kind { return Kind{} }

// Name is "bird".
func (Kind) Name() string { return "bird" }

// Aliases: bird2, the Debian package's name.
func (Kind) Aliases() []string { return []string{"bird2"} }

// Local runs bird in the namespace.
func (Kind) Local() kind.Local { return kind.Local{Daemon: daemon{}} }

// Container: there is no published BIRD image; the topology names one (an image built
// from Debian's bird2). The image's bird is started after the addresses are set.
func (Kind) Container() kind.Container {
	return kind.Container{ClabKind: "linux", Linux: true,
		Binds: map[string]string{"bird.conf": "/etc/bird/bird.conf"},
		Exec:  []string{"mkdir -p /run/bird", "bird -c /etc/bird/bird.conf"}}
}

// Probe reads BIRD with birdc.
func (Kind) Probe(exec kind.Exec, _ func() time.Time) (kind.Probe, error) {
	return NewProbe(exec), nil
}

type daemon struct{}

func (daemon) Needs(kind.Env) []string         { return []string{"bird", "birdc"} }
func (daemon) Install() string                 { return "apt-get install bird2" }
func (daemon) InstanceRoots(kind.Env) []string { return nil }
func (daemon) Ready(ctl string, _ []string) kind.Readiness {
	return kind.Readiness{Probe: []string{"birdc", "-s", ctl, "show", "status"}}
}

// Plan: BIRD appends its own log to <node>/bird.log; the process's output goes to bird.out.
func (daemon) Plan(r kind.LocalRouter) (kind.LocalPlan, error) {
	in := r.Intent
	in.LogFile = filepath.Join(r.NodeDir, "bird.log")
	files, err := Kind{}.Render(in)
	if err != nil {
		return kind.LocalPlan{}, err
	}
	ctl := filepath.Join(r.Dir, "bird.ctl")
	if len(ctl) > 100 {
		return kind.LocalPlan{}, fmt.Errorf("router %s: control socket path %s is too long for a unix socket; use a shorter lab dir", r.Node, ctl)
	}
	p := kind.LocalPlan{Control: ctl}
	for _, f := range files {
		p.Files = append(p.Files, kind.LocalFile{Path: filepath.Join(r.Dir, f.Path), Content: f.Content})
	}
	p.Processes = []kind.LocalProcess{{Name: "bird", Log: filepath.Join(r.NodeDir, "bird.out"),
		Args: []string{"bird", "-f", "-c", filepath.Join(r.Dir, "bird.conf"), "-s", ctl, "-P", filepath.Join(r.Dir, "bird.pid")}}}
	return p, nil
}

// CLI points birdc at the router's socket.
func (daemon) CLI(ctl string, argv []string) []string {
	if len(argv) > 0 && argv[0] == "birdc" && !kind.HasFlag(argv[1:], "-s") {
		return append([]string{"birdc", "-s", ctl}, argv[1:]...)
	}
	return slices.Clone(argv)
}
