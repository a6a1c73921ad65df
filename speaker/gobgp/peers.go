package gobgp

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	api "github.com/osrg/gobgp/v3/api"
	"github.com/osrg/gobgp/v3/pkg/apiutil"
	"github.com/osrg/gobgp/v3/pkg/packet/bgp"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/bgplb/bgplb/speaker/router"
)

// Timer defaults. GoBGP's own (connect retry 120 s, idle hold after reset 30 s)
// would leave a rebooted router without our routes for minutes.
const (
	defaultConnect       = 2 * time.Second
	defaultHold          = 90 * time.Second
	idleHoldAfterReset   = 1 // seconds
	gracefulRestartTime  = 120
	vrfAdmin             = 65535 // RD/RT admin of the per-peer VRFs; never leaves this process
	routeTargetSubtype   = bgp.EC_SUBTYPE_ROUTE_TARGET
	closeIdleHoldSeconds = 3600
)

// SetPeers implements router.Router. New peers get a VRF at once but their GoBGP
// neighbor only at their first SetRoutes, so the first UPDATEs after a restart
// carry the complete route set before End-of-RIB (a graceful-restart router
// flushes the stale routes it does not get back by then).
func (s *Server) SetPeers(ctx context.Context, want []router.Peer) error {
	if err := s.validatePeers(want); err != nil {
		return err
	}
	s.op.Lock()
	defer s.op.Unlock()
	if s.closed {
		return errors.New("gobgp: closed")
	}
	wanted := make(map[string]router.Peer, len(want))
	for _, p := range want {
		wanted[p.Name] = p
	}
	var errs []error
	for name, p := range s.peers {
		if _, ok := wanted[name]; !ok {
			if err := s.removePeer(ctx, name, p); err != nil {
				errs = append(errs, err)
			}
		}
	}
	for _, w := range want {
		p, ok := s.peers[w.Name]
		if ok && (p.cfg.Dynamic != w.Dynamic || p.cfg.Address != w.Address || p.cfg.MyASN != w.MyASN) {
			s.forget(w.Name) // what was learned was about another session
		}
		switch {
		case !ok:
			errs = append(errs, s.addPeer(ctx, w))
		case p.cfg == w:
		case !p.started:
			p.cfg = w
		case needsReset(p.cfg, w):
			errs = append(errs, s.restartPeer(ctx, p, w))
		default:
			if _, err := s.bgp.UpdatePeer(ctx, &api.UpdatePeerRequest{Peer: s.apiPeer(w, p.vrf, 0)}); err != nil {
				errs = append(errs, fmt.Errorf("gobgp: update peer %s: %w", w, err))
				continue
			}
			p.cfg = w
		}
	}
	s.refreshSecrets()
	return errors.Join(errs...)
}

func (s *Server) validatePeers(want []router.Peer) error {
	var errs []error
	names, addrs := map[string]bool{}, map[string]bool{}
	for i, p := range want {
		switch {
		case p.Name == "":
			errs = append(errs, fmt.Errorf("peer #%d: Name is empty: give every peer a unique name", i))
		case names[p.Name]:
			errs = append(errs, fmt.Errorf("peer %s: Name given twice: names must be unique", p.Name))
		}
		names[p.Name] = true
		if !p.Address.IsValid() {
			errs = append(errs, fmt.Errorf("peer %s: Address is missing", p.Name))
		} else if addrs[p.Address.String()] {
			errs = append(errs, fmt.Errorf("peer %s: Address %s is used by another peer: one session per router address", p.Name, p.Address))
		}
		addrs[p.Address.String()] = true
		if p.RouterID.IsValid() && p.RouterID != s.cfg.RouterID {
			errs = append(errs, fmt.Errorf("peer %s: RouterID %s differs from the speaker's %s: GoBGP has one router ID per speaker; leave it empty or use %s",
				p.Name, p.RouterID, s.cfg.RouterID, s.cfg.RouterID))
		}
		if p.SourceAddress.IsValid() && p.SourceAddress.Is4() != p.Address.Is4() {
			errs = append(errs, fmt.Errorf("peer %s: SourceAddress %s and Address %s are of different families", p.Name, p.SourceAddress, p.Address))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("gobgp: invalid peers: %w", errors.Join(errs...))
	}
	return nil
}

// needsReset reports whether a change needs the session torn down (see the table
// in the package doc): anything but timers and multihop.
func needsReset(a, b router.Peer) bool {
	a.HoldTime, a.KeepaliveTime, a.ConnectTime, a.EBGPMultiHop = b.HoldTime, b.KeepaliveTime, b.ConnectTime, b.EBGPMultiHop
	return a != b
}

// addPeer creates the peer's VRF; the neighbor comes at the first SetRoutes.
func (s *Server) addPeer(ctx context.Context, w router.Peer) error {
	s.nextVRF++
	id := s.nextVRF
	vrf := fmt.Sprintf("bgplb-%d", id)
	rd, err := apiutil.MarshalRD(bgp.NewRouteDistinguisherTwoOctetAS(vrfAdmin, id))
	if err != nil {
		return fmt.Errorf("gobgp: peer %s: route distinguisher: %w", w, err)
	}
	rt, err := apiutil.MarshalRT(bgp.NewTwoOctetAsSpecificExtended(routeTargetSubtype, vrfAdmin, id, true))
	if err != nil {
		return fmt.Errorf("gobgp: peer %s: route target: %w", w, err)
	}
	err = s.bgp.AddVrf(ctx, &api.AddVrfRequest{Vrf: &api.Vrf{Name: vrf, Rd: rd, ImportRt: []*anypb.Any{rt}, ExportRt: []*anypb.Any{rt}}})
	if err != nil {
		return fmt.Errorf("gobgp: peer %s: add vrf: %w", w, err)
	}
	s.mu.Lock()
	s.peers[w.Name] = &peer{cfg: w, vrf: vrf, routes: map[netip.Prefix]router.Route{}}
	s.mu.Unlock()
	s.track.add(w.Name, w, connectOf(w))
	s.track.note(w.Name, "waiting for the first SetRoutes")
	return nil
}

// startPeer adds the GoBGP neighbor (bound to the peer's VRF).
func (s *Server) startPeer(ctx context.Context, p *peer) error {
	s.setAddr(p.cfg.Address.String(), p.cfg.Name)
	s.track.add(p.cfg.Name, p.cfg, connectOf(p.cfg))
	if err := s.bgp.AddPeer(ctx, &api.AddPeerRequest{Peer: s.apiPeer(p.cfg, p.vrf, 0)}); err != nil {
		s.setAddr(p.cfg.Address.String(), "")
		s.track.note(p.cfg.Name, err.Error())
		return fmt.Errorf("gobgp: add peer %s: %w", p.cfg, err)
	}
	p.started = true
	return nil
}

// restartPeer applies a change that needs a new session: the old neighbor goes
// (Cease), the new one comes; the routes stay in the VRF and are sent again.
func (s *Server) restartPeer(ctx context.Context, p *peer, w router.Peer) error {
	if err := s.stopPeer(ctx, p); err != nil {
		return err
	}
	p.cfg = w
	return s.startPeer(ctx, p)
}

func (s *Server) stopPeer(ctx context.Context, p *peer) error {
	if !p.started {
		return nil
	}
	addr := p.cfg.Address.String()
	if err := s.bgp.DeletePeer(ctx, &api.DeletePeerRequest{Address: addr}); err != nil {
		return fmt.Errorf("gobgp: delete peer %s: %w", p.cfg, err)
	}
	s.setAddr(addr, "")
	p.started = false
	return nil
}

// removePeer closes the session (a Cease: the router drops our routes at once)
// and deletes the VRF with its paths.
func (s *Server) removePeer(ctx context.Context, name string, p *peer) error {
	if err := s.stopPeer(ctx, p); err != nil {
		return err
	}
	if err := s.bgp.DeleteVrf(ctx, &api.DeleteVrfRequest{Name: p.vrf}); err != nil {
		return fmt.Errorf("gobgp: peer %s: delete vrf: %w", p.cfg, err)
	}
	s.mu.Lock()
	delete(s.peers, name)
	s.mu.Unlock()
	s.forget(name)
	s.track.remove(name)
	return nil
}

func (s *Server) refreshSecrets() {
	var secrets []string
	for _, p := range s.peers {
		secrets = append(secrets, p.cfg.Password)
	}
	s.logs.setSecrets(secrets)
}

func connectOf(p router.Peer) time.Duration {
	if p.ConnectTime > 0 {
		return p.ConnectTime
	}
	return defaultConnect
}

func seconds(d time.Duration) uint64 {
	return uint64(max(1, (d+time.Second/2)/time.Second))
}

// apiPeer translates a peer; idleHold overrides IdleHoldTimeAfterReset when > 0.
func (s *Server) apiPeer(p router.Peer, vrf string, idleHold uint64) *api.Peer {
	hold := p.HoldTime
	if hold == 0 {
		hold = defaultHold
	}
	keepalive := p.KeepaliveTime
	if keepalive == 0 {
		keepalive = hold / 3
	}
	if idleHold == 0 {
		idleHold = idleHoldAfterReset
	}
	out := &api.Peer{
		Conf: &api.PeerConf{
			NeighborAddress: p.Address.String(),
			PeerAsn:         s.peerASN(p),
			LocalAsn:        p.MyASN,
			AuthPassword:    p.Password,
			Vrf:             vrf,
		},
		Timers: &api.Timers{Config: &api.TimersConfig{
			ConnectRetry:           seconds(connectOf(p)),
			HoldTime:               seconds(hold),
			KeepaliveInterval:      seconds(keepalive),
			IdleHoldTimeAfterReset: idleHold,
		}},
		Transport: &api.Transport{RemotePort: uint32(p.Port)},
	}
	if p.SourceAddress.IsValid() {
		out.Transport.LocalAddress = p.SourceAddress.String()
	}
	if p.EBGPMultiHop {
		out.EbgpMultihop = &api.EbgpMultihop{Enabled: true, MultihopTtl: 255}
	}
	if p.GracefulRestart {
		// NotificationEnabled (RFC 8538) makes a non-hard-reset NOTIFICATION (our
		// graceful Close, ResetPeer(hard=false)) keep our routes at the router too.
		out.GracefulRestart = &api.GracefulRestart{Enabled: true, RestartTime: gracefulRestartTime, NotificationEnabled: true}
	}
	fams := router.FamiliesOf(p)
	for _, f := range []struct {
		bit router.Family
		afi api.Family_Afi
	}{{router.IPv4, api.Family_AFI_IP}, {router.IPv6, api.Family_AFI_IP6}} {
		if fams&f.bit == 0 {
			continue
		}
		as := &api.AfiSafi{Config: &api.AfiSafiConfig{Family: &api.Family{Afi: f.afi, Safi: api.Family_SAFI_UNICAST}, Enabled: true}}
		if p.GracefulRestart {
			as.MpGracefulRestart = &api.MpGracefulRestart{Config: &api.MpGracefulRestartConfig{Enabled: true}}
		}
		out.AfiSafis = append(out.AfiSafis, as)
	}
	return out
}

// setAddr maps a neighbor address to a peer name for GoBGP's events ("" unmaps).
func (s *Server) setAddr(addr, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if name == "" {
		delete(s.byAddr, addr)
		return
	}
	s.byAddr[addr] = name
}
