package openbgpd

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/bgplb/bgplb/topologies/kind"
)

// Kind is OpenBGPD 7.7.
type Kind struct{}

// New returns the OpenBGPD kind.
func New() Kind { return Kind{} }

// Name is "openbgpd".
func (Kind) Name() string { return "openbgpd" }

// Aliases: bgpd, the daemon's name.
func (Kind) Aliases() []string { return []string{"bgpd"} }

// Local runs bgpd in the namespace.
func (Kind) Local() kind.Local { return kind.Local{Daemon: daemon{}} }

// Container: no published image; the topology names one built from Debian's openbgpd.
// The image's bgpd is started after the addresses are set.
func (Kind) Container() kind.Container {
	return kind.Container{ClabKind: "linux", Linux: true,
		Binds: map[string]string{"bgpd.conf": "/etc/bgpd.conf"},
		Exec:  []string{"mkdir -p /run/openbgpd", "bgpd -f /etc/bgpd.conf"}}
}

// Probe reads bgpd with bgpctl's JSON.
func (Kind) Probe(exec kind.Exec, _ func() time.Time) (kind.Probe, error) {
	return NewProbe(exec), nil
}

// bgpd's unprivileged processes chroot to <run>/openbgpd (the _openbgpd user's home),
// which the package does not create and every instance on the machine shares.

type daemon struct{}

func (daemon) Needs(kind.Env) []string         { return []string{"bgpd", "bgpctl"} }
func (daemon) Install() string                 { return "apt-get install openbgpd" }
func (daemon) InstanceRoots(kind.Env) []string { return nil }

// Plan: each instance has its own control socket (bgpd takes it from the config's
// `socket` statement, bgpctl from -s), kept beside its config.
func (daemon) Plan(r kind.LocalRouter) (kind.LocalPlan, error) {
	files, err := Kind{}.Render(r.Intent)
	if err != nil {
		return kind.LocalPlan{}, err
	}
	sock := filepath.Join(r.Dir, "bgpd.sock")
	if len(sock) > 100 {
		return kind.LocalPlan{}, fmt.Errorf("router %s: control socket path %s is too long for a unix socket; use a shorter lab dir", r.Node, sock)
	}
	conf := filepath.Join(r.Dir, "bgpd.conf")
	p := kind.LocalPlan{Control: sock, SharedDirs: []string{filepath.Join(r.Env.RunDir, "openbgpd")}}
	for _, f := range files {
		content := f.Content
		if f.Path == "bgpd.conf" {
			content = append([]byte(fmt.Sprintf("socket %q\n", sock)), content...)
		}
		p.Files = append(p.Files, kind.LocalFile{Path: filepath.Join(r.Dir, f.Path), Content: content})
	}
	p.Processes = []kind.LocalProcess{{Name: "bgpd", Log: filepath.Join(r.NodeDir, "bgpd.log"),
		Args: []string{"bgpd", "-d", "-f", conf}}}
	return p, nil
}

// Ready: the socket answers before the configuration is loaded; the neighbors listed
// show it is.
func (daemon) Ready(sock string, _ []string) kind.Readiness {
	return kind.Readiness{
		Probe: []string{"bgpctl", "-s", sock, "-j", "show", "summary"},
		Check: func(out []byte) error {
			var s struct {
				Neighbors []json.RawMessage `json:"neighbors"`
			}
			if err := json.Unmarshal(out, &s); err != nil {
				return fmt.Errorf("bgpctl show summary: %w", err)
			}
			if len(s.Neighbors) == 0 {
				return errors.New("bgpd lists no neighbors yet")
			}
			return nil
		},
	}
}

// CLI points bgpctl at the router's socket.
func (daemon) CLI(sock string, argv []string) []string {
	if len(argv) > 0 && argv[0] == "bgpctl" && !kind.HasFlag(argv[1:], "-s") {
		return append([]string{"bgpctl", "-s", sock}, argv[1:]...)
	}
	return slices.Clone(argv)
}
