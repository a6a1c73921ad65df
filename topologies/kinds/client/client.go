// Package client is the lab's traffic source: a plain Linux host that reaches Services
// through the routers. The netns backend gives it a namespace and nothing else.
package client

import "github.com/bgplb/bgplb/topologies/kind"

// Kind is the client host kind.
type Kind struct{}

// New returns the client kind.
func New() Kind { return Kind{} }

// Name is "client", its role's name.
func (Kind) Name() string { return "client" }

// Container is a small Linux image with curl and ping.
func (Kind) Container() kind.Container {
	return kind.Container{ClabKind: "linux", Image: "ghcr.io/srl-labs/network-multitool:latest", Linux: true}
}
