// Package all builds the registry of every router renderer. Renderers are listed here
// explicitly (no init side effects), so adding a NOS is one line a reviewer sees.
package all

import (
	"github.com/bgplb/bgplb/topologies/render"
	"github.com/bgplb/bgplb/topologies/render/bird"
	"github.com/bgplb/bgplb/topologies/render/eos"
	"github.com/bgplb/bgplb/topologies/render/frr"
	"github.com/bgplb/bgplb/topologies/render/gobgp"
	"github.com/bgplb/bgplb/topologies/render/iosxe"
	"github.com/bgplb/bgplb/topologies/render/vyos"
)

// Registry returns a registry holding every router renderer: frr, bird, gobgp, vyos,
// ceos and iosxe.
func Registry() *render.Registry {
	return render.NewRegistry(frr.New(), bird.New(), gobgp.New(), vyos.New(), eos.New(), iosxe.New())
}
