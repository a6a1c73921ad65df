package gobgp

import (
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/bgplb/bgplb/topologies/kind"
)

// Kind is gobgpd 3.10 (Debian's gobgpd) as a lab router: rendered to gobgpd.toml, run
// natively by the netns backend, read through the gobgp CLI. gobgpd has no BFD.
type Kind struct{}

// New returns the gobgpd kind.
func New() Kind { return Kind{} }

// Name is "gobgp".
func (Kind) Name() string { return "gobgp" }

// Aliases: gobgpd.
func (Kind) Aliases() []string { return []string{"gobgpd"} }

// Local runs gobgpd in the namespace.
func (Kind) Local() kind.Local { return kind.Local{Daemon: daemon{}} }

// Container: no published image; the topology names one built from Debian's gobgpd.
func (Kind) Container() kind.Container {
	return kind.Container{ClabKind: "linux", Linux: true,
		Binds: map[string]string{"gobgpd.toml": "/etc/gobgp/gobgpd.toml"},
		Exec:  []string{`sh -c "gobgpd -f /etc/gobgp/gobgpd.toml -t toml >/var/log/gobgpd.log 2>&1 &"`}}
}

// Probe reads gobgpd with the gobgp CLI; now dates session uptimes.
func (Kind) Probe(exec kind.Exec, now func() time.Time) (kind.Probe, error) {
	return NewProbe(exec, now), nil
}

// apiAddress is where gobgpd listens: the namespace's own loopback, so every router
// can use the same port.
const apiAddress = "127.0.0.1:50051"

type daemon struct{}

func (daemon) Needs(kind.Env) []string         { return []string{"gobgpd", "gobgp"} }
func (daemon) Install() string                 { return "apt-get install gobgpd" }
func (daemon) InstanceRoots(kind.Env) []string { return nil }

func (d daemon) Ready(api string, _ []string) kind.Readiness {
	return kind.Readiness{Probe: d.CLI(api, []string{"gobgp", "global"})}
}

func (daemon) Plan(r kind.LocalRouter) (kind.LocalPlan, error) {
	files, err := Kind{}.Render(r.Intent)
	if err != nil {
		return kind.LocalPlan{}, err
	}
	p := kind.LocalPlan{Control: apiAddress}
	for _, f := range files {
		p.Files = append(p.Files, kind.LocalFile{Path: filepath.Join(r.Dir, f.Path), Content: f.Content})
	}
	p.Processes = []kind.LocalProcess{{Name: "gobgpd", Log: filepath.Join(r.NodeDir, "gobgpd.log"),
		Args: []string{"gobgpd", "-f", filepath.Join(r.Dir, "gobgpd.toml"), "-t", "toml", "-p",
			"--api-hosts", apiAddress, "--pprof-disable"}}}
	return p, nil
}

// CLI points gobgp at the router's API.
func (daemon) CLI(api string, argv []string) []string {
	if len(argv) > 0 && argv[0] == "gobgp" && !kind.HasFlag(argv[1:], "-u", "--host", "-p", "--port", "--target") {
		host, port, _ := strings.Cut(api, ":")
		return append([]string{"gobgp", "-u", host, "-p", port}, argv[1:]...)
	}
	return slices.Clone(argv)
}
