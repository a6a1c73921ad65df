package vyos

import (
	"fmt"
	"time"

	"github.com/bgplb/bgplb/topologies/kind"
)

// Kind is VyOS 1.4 (set commands). It has no package for this machine, so the netns backend runs it as
// FRR with the intent's (NOS-neutral) semantics: same sessions, policy and ECMP, FRR's
// syntax. Under containerlab it runs the real NOS from its image.
type Kind struct{}

// New returns the kind.
func New() Kind { return Kind{} }

// Name is "vyos".
func (Kind) Name() string { return "vyos" }

// Aliases are the other names the CLI accepts.
func (Kind) Aliases() []string { return nil }

// Local: emulated by FRR.
func (Kind) Local() kind.Local { return kind.Local{EmulatedBy: "frr"} }

// Container: VyOS publishes no image: vyos:latest is the name containerlab's docs use for a locally imported one.
func (Kind) Container() kind.Container {
	return kind.Container{ClabKind: "vyosnetworks_vyos", Image: "vyos:latest", Startup: "config.commands"}
}

// Probe: bgplb does not parse this NOS's CLI; on the netns backend the node is read as
// the FRR that emulates it.
func (Kind) Probe(kind.Exec, func() time.Time) (kind.Probe, error) {
	return nil, fmt.Errorf("vyos: %w", kind.ErrNoProbe)
}
