// Package k8snode is a Kubernetes node of the lab. On the netns backend it is a namespace
// that runs a speaker; under containerlab it is a kind cluster's node container, which
// containerlab wires into the lab as an external container.
package k8snode

import "github.com/bgplb/bgplb/topologies/kind"

// Kind is the Kubernetes node host kind.
type Kind struct{}

// New returns the kind.
func New() Kind { return Kind{} }

// Name is "k8s-node", its role's name.
func (Kind) Name() string { return "k8s-node" }

// Container: kind creates the container; containerlab only links it.
func (Kind) Container() kind.Container { return kind.Container{ClabKind: "ext-container"} }
