package eos

import (
	"fmt"
	"time"

	"github.com/bgplb/bgplb/topologies/kind"
)

// Kind is Arista cEOS (startup-config). It has no package for this machine, so the netns backend runs it as
// FRR with the intent's (NOS-neutral) semantics: same sessions, policy and ECMP, FRR's
// syntax. Under containerlab it runs the real NOS from its image.
type Kind struct{}

// New returns the kind.
func New() Kind { return Kind{} }

// Name is "ceos".
func (Kind) Name() string { return "ceos" }

// Aliases are the other names the CLI accepts.
func (Kind) Aliases() []string { return []string{"eos"} }

// Local: emulated by FRR.
func (Kind) Local() kind.Local { return kind.Local{EmulatedBy: "frr"} }

// Container: Arista's image needs a login to download: ceos:4.32.0F is a locally imported one.
func (Kind) Container() kind.Container {
	return kind.Container{ClabKind: "arista_ceos", Image: "ceos:4.32.0F", Startup: "startup-config"}
}

// Probe: bgplb does not parse this NOS's CLI; on the netns backend the node is read as
// the FRR that emulates it.
func (Kind) Probe(kind.Exec, func() time.Time) (kind.Probe, error) {
	return nil, fmt.Errorf("ceos: %w", kind.ErrNoProbe)
}
