package frr

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/bgplb/bgplb/topologies/kind"
)

// DetailLimit bounds the per-prefix queries Routes makes for communities: a scale lab
// with thousands of VIPs gets the table view (next hops, LOCAL_PREF) only.
const DetailLimit = 64

// Probe asks one FRR router through vtysh.
type Probe struct{ exec kind.Exec }

var _ kind.Probe = (*Probe)(nil)

// NewProbe returns a probe that runs vtysh through exec.
func NewProbe(exec kind.Exec) *Probe { return &Probe{exec: exec} }

func (p *Probe) vtysh(ctx context.Context, cmd string) ([]byte, error) {
	out, err := p.exec(ctx, []string{"vtysh", "-c", cmd})
	if err != nil {
		return nil, fmt.Errorf("frr: vtysh -c %q: %w", cmd, err)
	}
	return out, nil
}

// Sessions implements kind.Probe.
func (p *Probe) Sessions(ctx context.Context) ([]kind.Session, error) {
	out, err := p.vtysh(ctx, "show bgp summary json")
	if err != nil {
		return nil, err
	}
	return ParseSummary(out)
}

// Routes implements kind.Probe: the table view per family, then the per-prefix view
// (communities) for each route inside the ranges, up to DetailLimit of them.
func (p *Probe) Routes(ctx context.Context, within []netip.Prefix) ([]kind.Route, error) {
	var out []kind.Route
	for _, fam := range afisOf(within) {
		data, err := p.vtysh(ctx, "show bgp "+fam+" unicast json")
		if err != nil {
			return nil, err
		}
		rs, err := ParseTable(data)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if kind.Within(r.Prefix, within) {
				out = append(out, r)
			}
		}
	}
	if len(out) > DetailLimit {
		return out, nil
	}
	for i, r := range out {
		data, err := p.vtysh(ctx, fmt.Sprintf("show bgp %s unicast %s json", afiOf(r.Prefix), r.Prefix))
		if err != nil {
			return nil, err
		}
		if d, ok, err := ParsePrefix(data); err != nil {
			return nil, err
		} else if ok {
			out[i] = d
		}
	}
	return out, nil
}

// BFD implements kind.Probe.
func (p *Probe) BFD(ctx context.Context) ([]kind.BFDPeer, error) {
	out, err := p.vtysh(ctx, "show bfd peers json")
	if err != nil {
		return nil, err
	}
	return ParseBFD(out)
}

func afiOf(p netip.Prefix) string {
	if p.Addr().Is4() {
		return "ipv4"
	}
	return "ipv6"
}

func afisOf(ps []netip.Prefix) []string {
	var v4, v6 bool
	for _, p := range ps {
		v4 = v4 || p.Addr().Is4()
		v6 = v6 || !p.Addr().Is4()
	}
	var out []string
	if v4 {
		out = append(out, "ipv4")
	}
	if v6 {
		out = append(out, "ipv6")
	}
	return out
}
