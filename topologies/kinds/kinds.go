// Package kinds is the registry: every router and host kind bgplb knows, one line each.
// Adding a router kind is one folder beside this file and one line below.
package kinds

import (
	"github.com/bgplb/bgplb/topologies/kind"
	"github.com/bgplb/bgplb/topologies/kinds/bird"
	"github.com/bgplb/bgplb/topologies/kinds/client"
	"github.com/bgplb/bgplb/topologies/kinds/eos"
	"github.com/bgplb/bgplb/topologies/kinds/frr"
	"github.com/bgplb/bgplb/topologies/kinds/gobgp"
	"github.com/bgplb/bgplb/topologies/kinds/iosxe"
	"github.com/bgplb/bgplb/topologies/kinds/k8snode"
	"github.com/bgplb/bgplb/topologies/kinds/openbgpd"
	"github.com/bgplb/bgplb/topologies/kinds/vyos"
)

// Registry returns the registry of every kind. It panics if a kind is incomplete: that
// is a programming error, and TestRegistry catches it before anyone runs a lab.
func Registry() *kind.Registry {
	reg, err := kind.NewRegistry(
		[]kind.Router{
			frr.New(),
			bird.New(),
			gobgp.New(),
			openbgpd.New(),
			vyos.New(),
			eos.New(),
			iosxe.New(),
		},
		[]kind.Host{client.New(), k8snode.New()},
	)
	if err != nil {
		panic(err)
	}
	return reg
}
