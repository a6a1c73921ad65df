package scenarios

import (
	"time"

	"github.com/bgplb/bgplb/topologies/backend"
)

// Scenario is one end-to-end story: a topology, extra manifests, and steps run in
// order, each an action and the expectations that must then hold.
type Scenario struct {
	Name     string
	Topology string
	// Service is the Service the timeline follows (next hops per router, client
	// success); default the lab's demo Service.
	Service string
	Steps   []Step
}

// Step is one action and what must hold within Within after it (default 30 s).
// A Step with no action only waits for its expectations.
type Step struct {
	Name   string
	Do     Action
	Expect []Expectation
	Within time.Duration
	// Hold, when set, keeps checking the expectations for this long after they
	// first hold: for "nothing changes" steps (a bad config push, churn).
	Hold time.Duration
}

// Action is what a step does; at most one field is set.
type Action struct {
	// Fault injects or heals a failure through the lab backend.
	Fault *backend.Fault
	// Apply server-side-applies multi-document YAML (the product namespace is the
	// default); Delete deletes the objects it names.
	Apply, Delete string
	// Label sets (or with an empty value removes) labels of a Node.
	Label *NodeLabel
	// Backends moves the Service's backends to these nodes (the lab's service plane
	// writes the EndpointSlices).
	Backends *Backends
	// Restart stops and starts a product process: "controller" (on the host) or
	// "speaker" on Node.
	Restart *Restart
	// ControlPlane freezes ("freeze") or thaws ("thaw") the apiserver: the API is
	// unreachable from the nodes meanwhile.
	ControlPlane string
}

// NodeLabel sets Key=Value on Node (Value "" removes the label).
type NodeLabel struct{ Node, Key, Value string }

// Backends places Service's backends on Nodes.
type Backends struct {
	Service string
	Nodes   []string
}

// Restart names a product process.
type Restart struct{ Process, Node string }

// WithinOrDefault is the step's deadline.
func (s Step) WithinOrDefault() time.Duration {
	if s.Within > 0 {
		return s.Within
	}
	return 30 * time.Second
}
