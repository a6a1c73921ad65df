package frr

import (
	"time"

	"github.com/bgplb/bgplb/topologies/kind"
)

// Kind is FRR 8.4 (Debian's frr): rendered, run natively by the netns backend with
// FRR's pathspace (one instance per namespace), run in FRR's image under containerlab,
// and read through vtysh's JSON.
type Kind struct{}

// New returns the FRR kind.
func New() Kind { return Kind{} }

// Name is "frr".
func (Kind) Name() string { return "frr" }

// Aliases: none.
func (Kind) Aliases() []string { return nil }

// Local runs FRR's own daemons.
func (Kind) Local() kind.Local { return kind.Local{Daemon: daemon{}} }

// Container is FRR's published image with frr.conf and daemons bind-mounted; the image
// starts the daemons the daemons file enables.
func (Kind) Container() kind.Container {
	return kind.Container{ClabKind: "linux", Image: "quay.io/frrouting/frr:9.1.0", Linux: true,
		Binds: map[string]string{"frr.conf": "/etc/frr/frr.conf", "daemons": "/etc/frr/daemons"}}
}

// Probe reads sessions, routes and BFD peers with vtysh.
func (Kind) Probe(exec kind.Exec, _ func() time.Time) (kind.Probe, error) {
	return NewProbe(exec), nil
}
