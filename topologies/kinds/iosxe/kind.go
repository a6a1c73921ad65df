package iosxe

import (
	"fmt"
	"time"

	"github.com/bgplb/bgplb/topologies/kind"
)

// Kind is Cisco IOS-XE (Catalyst 8000v). It has no package for this machine, so the netns backend runs it as
// FRR with the intent's (NOS-neutral) semantics: same sessions, policy and ECMP, FRR's
// syntax. Under containerlab it runs the real NOS from its image.
type Kind struct{}

// New returns the kind.
func New() Kind { return Kind{} }

// Name is "iosxe".
func (Kind) Name() string { return "iosxe" }

// Aliases are the other names the CLI accepts.
func (Kind) Aliases() []string { return []string{"ios-xe"} }

// Local: emulated by FRR.
func (Kind) Local() kind.Local { return kind.Local{EmulatedBy: "frr"} }

// Container: the image is built locally with vrnetlab from Cisco's qcow2.
func (Kind) Container() kind.Container {
	return kind.Container{ClabKind: "cisco_c8000v", Image: "vrnetlab/cisco_c8000v:17.15.01a", Startup: "iosxe.cfg"}
}

// Probe: bgplb does not parse this NOS's CLI; on the netns backend the node is read as
// the FRR that emulates it.
func (Kind) Probe(kind.Exec, func() time.Time) (kind.Probe, error) {
	return nil, fmt.Errorf("iosxe: %w", kind.ErrNoProbe)
}
