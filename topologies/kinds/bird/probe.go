package bird

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/bgplb/bgplb/topologies/kind"
)

// Probe asks one BIRD router through birdc.
type Probe struct{ exec kind.Exec }

var _ kind.Probe = (*Probe)(nil)

// NewProbe returns a probe that runs birdc through exec.
func NewProbe(exec kind.Exec) *Probe { return &Probe{exec: exec} }

func (p *Probe) birdc(ctx context.Context, args ...string) ([]byte, error) {
	out, err := p.exec(ctx, append([]string{"birdc"}, args...))
	if err != nil {
		return out, fmt.Errorf("bird: birdc %s: %w", strings.Join(args, " "), err)
	}
	return out, nil
}

// Sessions implements kind.Probe.
func (p *Probe) Sessions(ctx context.Context) ([]kind.Session, error) {
	out, err := p.birdc(ctx, "show", "protocols", "all")
	if err != nil {
		return nil, err
	}
	return ParseProtocols(out)
}

// Routes implements kind.Probe. It reads every table and filters here, which works on
// every BIRD 2 version (a `where net ~ [...]` filter would need per-version syntax care).
func (p *Probe) Routes(ctx context.Context, within []netip.Prefix) ([]kind.Route, error) {
	out, err := p.birdc(ctx, "show", "route", "all")
	if err != nil {
		return nil, err
	}
	rs, err := ParseRoutes(out)
	if err != nil {
		return nil, err
	}
	var keep []kind.Route
	for _, r := range rs {
		if kind.Within(r.Prefix, within) {
			keep = append(keep, r)
		}
	}
	return keep, nil
}

// noBFD is what birdc prints for `show bfd sessions` when no BFD protocol runs.
const noBFD = "There is no BFD protocol running"

// BFD implements kind.Probe.
func (p *Probe) BFD(ctx context.Context) ([]kind.BFDPeer, error) {
	out, err := p.birdc(ctx, "show", "bfd", "sessions")
	if err != nil {
		// birdc exits 1 when no BFD protocol is configured: a router without BFD
		// sessions, not a failure.
		if strings.Contains(string(out), noBFD) {
			return nil, nil
		}
		return nil, err
	}
	return ParseBFD(out)
}
