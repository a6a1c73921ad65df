package gobgp

import (
	"context"
	"fmt"
	"time"

	"github.com/bgplb/bgplb/speaker/router"
)

// probeASN is the peer-as given to GoBGP for a dynamicASN external peer until the
// router's first OPEN shows its AS: 4294967295 is reserved (RFC 7300) and no router
// uses it, so GoBGP refuses that first OPEN (Bad Peer AS), which tells us the AS.
// GoBGP itself has no "any AS but ours": its peer-as 0 accepts every AS, ours too.
const probeASN = 4294967295

// localASN is the AS we present to p.
func (s *Server) localASN(p router.Peer) uint32 {
	if p.MyASN != 0 {
		return p.MyASN
	}
	return s.cfg.ASN
}

// peerASN is the peer-as GoBGP checks the router's OPEN against:
//   - dynamicASN internal: our own AS, so GoBGP refuses any other;
//   - dynamicASN external: the AS learned from a refused OPEN once it proved not
//     to be ours, the probe before that;
//   - otherwise the configured peerASN.
func (s *Server) peerASN(p router.Peer) uint32 {
	switch {
	case p.ASN != 0:
		return p.ASN
	case p.Dynamic == router.DynamicInternal:
		return s.localASN(p)
	case p.Dynamic == router.DynamicExternal:
		s.mu.Lock()
		defer s.mu.Unlock()
		if a, ok := s.learned[p.Name]; ok {
			return a
		}
		if s.localASN(p) == probeASN {
			return probeASN - 1
		}
		return probeASN
	}
	return 0
}

// openRefused runs (on its own goroutine) when GoBGP refused a router's OPEN for
// its AS. It says why on the session (BGPPeer status, `bgplb status`, metrics) and,
// for a dynamicASN external peer whose AS proved not to be ours, reconnects
// expecting that AS.
func (s *Server) openRefused(addr string, expected, received uint32) {
	s.op.Lock()
	defer s.op.Unlock()
	s.mu.Lock()
	name := s.byAddr[addr]
	p := s.peers[name]
	s.mu.Unlock()
	if s.closed || p == nil || !p.started || s.peerASN(p.cfg) != expected {
		return // gone or reconfigured since
	}
	local := s.localASN(p.cfg)
	switch {
	case p.cfg.Dynamic == router.DynamicInternal:
		s.track.refuse(name, router.RefusedDynamicInternal, fmt.Sprintf(
			"refused the router's OPEN: dynamicASN internal accepts only our AS %d, the router sent AS %d", local, received))
	case p.cfg.Dynamic == router.DynamicExternal && received == local:
		s.track.refuse(name, router.RefusedDynamicExternal, fmt.Sprintf(
			"refused the router's OPEN: dynamicASN external accepts any AS but ours (%d), the router sent AS %d", local, received))
	case p.cfg.Dynamic == router.DynamicExternal:
		s.mu.Lock()
		s.learned[name] = received
		s.mu.Unlock()
		s.log.Info("dynamicASN external: the router's AS is not ours; reconnecting expecting it", "peer", name, "asn", received)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.restartPeer(ctx, p, p.cfg); err != nil {
			s.track.note(name, err.Error())
		}
	default:
		s.track.refuse(name, router.RefusedPeerASN, fmt.Sprintf(
			"refused the router's OPEN: peerASN is %d, the router sent AS %d", expected, received))
	}
}

// forget drops what was learned about a peer's AS (it was removed, or its mode
// changed).
func (s *Server) forget(name string) {
	s.mu.Lock()
	delete(s.learned, name)
	s.mu.Unlock()
}
