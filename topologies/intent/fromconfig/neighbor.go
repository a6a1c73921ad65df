package fromconfig

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/big"
	"time"

	"github.com/bgplb/bgplb/config"
	"github.com/bgplb/bgplb/topologies/intent"
)

// neighbors is one session per node the peer selects, with the peer's password,
// timers, BFD profile and multihop setting mirrored on the router's side.
func neighbors(cfg *config.Config, p *config.Peer, opts Options) ([]intent.Neighbor, []string, error) {
	var (
		out   []intent.Neighbor
		notes []string
		errs  []error
	)
	bfd, err := bfdFor(cfg, p)
	if err != nil {
		errs = append(errs, err)
	}
	maxPrefix, derived := opts.MaxPrefix, false
	if maxPrefix == 0 {
		maxPrefix, derived = maximumPrefix(cfg, p.Name), true
	}
	if opts.GTSM && !p.EBGPMultiHop {
		// bgplb's speaker (GoBGP) sends TTL 255 only for multihop eBGP sessions; a
		// GTSM router would drop every packet of a plain session (TTL 1).
		errs = append(errs, fmt.Errorf("--gtsm: BGPPeer %s does not set spec.ebgpMultiHop, so the speakers send TTL 1 and a GTSM router drops them; set ebgpMultiHop: true", p.Name))
	}
	if opts.GTSM && p.IsIBGP() {
		errs = append(errs, fmt.Errorf("--gtsm: BGPPeer %s is iBGP; GTSM applies to eBGP sessions", p.Name))
	}
	hasLabels := false
	for _, n := range opts.Nodes {
		hasLabels = hasLabels || n.Labels != nil
		if !selected(p, n) {
			continue
		}
		addr, ok := nodeAddress(n, p.Address)
		if !ok {
			errs = append(errs, fmt.Errorf("node %s has no address of the family of BGPPeer %s's peerAddress %v", n.Name, p.Name, p.Address))
			continue
		}
		nb := intent.Neighbor{
			Address:       addr,
			ASN:           cmp.Or(p.LocalASN, p.MyASN),
			Role:          intent.RoleSpeaker,
			Description:   "bgplb " + n.Name,
			Password:      p.Password.Reveal(),
			HoldTime:      p.HoldTime,
			KeepaliveTime: p.KeepaliveTime,
			BFD:           bfd,
			MaximumPrefix: maxPrefix,
			// The speakers dial out and never listen: the router waits for them.
			Passive: true,
		}
		if p.HoldTime == 0 {
			nb.KeepaliveTime = 0 // hold time 0 disables keepalives; leave the NOS default
		}
		if p.DualStack {
			nb.IPv4, nb.IPv6 = true, true
		}
		switch {
		case opts.GTSM:
			nb.TTLSecurityHops = 1
		case p.EBGPMultiHop:
			nb.EBGPMultihop = 255 // what the speaker sets on its side
		}
		if bfd != nil && p.EBGPMultiHop {
			b := *bfd
			b.MinimumTTL = bfdMinTTL(cfg, p)
			nb.BFD = &b
		}
		out = append(out, nb)
	}
	if len(out) == 0 && len(opts.Nodes) > 0 {
		errs = append(errs, fmt.Errorf("BGPPeer %s selects none of the %d nodes given", p.Name, len(opts.Nodes)))
	}
	if len(p.NodeSelectors) > 0 && !hasLabels {
		notes = append(notes, fmt.Sprintf("BGPPeer %s has node selectors but the nodes came without labels: every node given is configured", p.Name))
	}
	if derived && maxPrefix > 0 {
		notes = append(notes, fmt.Sprintf("maximum-prefix %d for BGPPeer %s: the number of prefixes its advertisements can announce (override with --max-prefix)", maxPrefix, p.Name))
	}
	return out, notes, errors.Join(errs...)
}

// bfdFor is the peer's BFD profile in the renderers' terms (milliseconds).
func bfdFor(cfg *config.Config, p *config.Peer) (*intent.BFD, error) {
	if p.BFDProfile == "" {
		return nil, nil
	}
	prof := cfg.BFDProfile(p.BFDProfile)
	if prof == nil {
		return nil, fmt.Errorf("BGPPeer %s: BFD profile %s not found", p.Name, p.BFDProfile)
	}
	return &intent.BFD{
		Profile:          prof.Name,
		ReceiveInterval:  uint32(prof.ReceiveInterval / time.Millisecond),
		TransmitInterval: uint32(prof.TransmitInterval / time.Millisecond),
		DetectMultiplier: prof.DetectMultiplier,
	}, nil
}

func bfdMinTTL(cfg *config.Config, p *config.Peer) uint8 {
	if prof := cfg.BFDProfile(p.BFDProfile); prof != nil {
		return prof.MinimumTTL
	}
	return 0
}

// maximumPrefix is how many distinct prefixes the peer's advertisements can announce:
// for every (pool prefix, aggregation length) pair, 2^(length - pool bits), or one
// when the aggregate is shorter than the pool prefix. Capped at the 32-bit maximum
// every NOS accepts; 0 when nothing is announced.
func maximumPrefix(cfg *config.Config, peer string) uint32 {
	type key struct {
		prefix string
		bits   int
	}
	seen := map[key]bool{}
	total := new(big.Int)
	for _, a := range cfg.Advertisements {
		if !a.SelectsPeer(peer) {
			continue
		}
		for _, pool := range announcedPools(cfg, a) {
			for _, pfx := range pool.Prefixes {
				bits := a.AggregationLength
				if pfx.Addr().Is6() {
					bits = a.AggregationLengthV6
				}
				k := key{pfx.String(), bits}
				if seen[k] {
					continue
				}
				seen[k] = true
				if bits <= pfx.Bits() {
					total.Add(total, big.NewInt(1))
					continue
				}
				total.Add(total, new(big.Int).Lsh(big.NewInt(1), uint(bits-pfx.Bits())))
			}
		}
	}
	if !total.IsUint64() || total.Uint64() > math.MaxUint32 {
		return math.MaxUint32
	}
	return uint32(total.Uint64())
}

// announcedPools are the pools an advertisement announces.
func announcedPools(cfg *config.Config, a *config.Advertisement) []*config.Pool {
	var out []*config.Pool
	for _, p := range cfg.Pools {
		if a.AnnouncesPool(p.Name) {
			out = append(out, p)
		}
	}
	return out
}
