package gobgp

import (
	"context"
	"errors"
	"fmt"
	"time"

	api "github.com/osrg/gobgp/v3/api"

	"github.com/bgplb/bgplb/speaker/router"
)

// ResetPeer implements router.Router. hard=false sends an Administrative Reset,
// which a router that negotiated graceful restart with the RFC 8538 "N" bit
// treats as a restart (it keeps our routes); GoBGP reconnects after one second.
// hard=true deletes and re-adds the neighbor: a Cease (Hard Reset under RFC 8538),
// the router drops our routes, and the new session starts at once.
func (s *Server) ResetPeer(ctx context.Context, name string, hard bool) error {
	s.op.Lock()
	defer s.op.Unlock()
	s.mu.Lock()
	p, ok := s.peers[name]
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("gobgp: peer %s: %w", name, router.ErrUnknownPeer)
	}
	if !p.started {
		return nil // nothing to reset: no session yet
	}
	if hard {
		if err := s.stopPeer(ctx, p); err != nil {
			return err
		}
		return s.startPeer(ctx, p)
	}
	if err := s.bgp.ResetPeer(ctx, &api.ResetPeerRequest{Address: p.cfg.Address.String(), Communication: "bgplb: reset"}); err != nil {
		return fmt.Errorf("gobgp: reset peer %s: %w", p.cfg, err)
	}
	return nil
}

// Close implements router.Router.
//
// graceful=false deletes every neighbor: GoBGP sends a Cease (peer de-configured,
// a Hard Reset when the "N" bit was negotiated), so routers drop our routes at
// once instead of after the hold time.
//
// graceful=true must stop without a hard NOTIFICATION. GoBGP always sends one when
// a neighbor is deleted, so the sessions are first reset with an Administrative
// Reset (no Hard Reset: routers that negotiated graceful restart keep our routes
// as stale for the restart time) and held down (idle hold one hour) before the
// server stops; the closed sockets then carry no further message.
func (s *Server) Close(ctx context.Context, graceful bool) error {
	s.op.Lock()
	defer s.op.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	var errs []error
	if graceful {
		errs = append(errs, s.holdDown(ctx))
	}
	for _, p := range s.peers {
		if err := s.stopPeer(ctx, p); err != nil {
			errs = append(errs, err)
		}
	}
	s.cancel()
	<-s.done
	s.bgp.Stop()
	s.logs.flush()
	return errors.Join(errs...)
}

// holdDown resets every established session gracefully and keeps it from
// reconnecting, waiting (bounded) until none is established any more.
func (s *Server) holdDown(ctx context.Context) error {
	var errs []error
	var started []*peer
	for _, p := range s.peers {
		if !p.started {
			continue
		}
		started = append(started, p)
		if _, err := s.bgp.UpdatePeer(ctx, &api.UpdatePeerRequest{Peer: s.apiPeer(p.cfg, p.vrf, closeIdleHoldSeconds)}); err != nil {
			errs = append(errs, fmt.Errorf("gobgp: hold down %s: %w", p.cfg, err))
		}
		if err := s.bgp.ResetPeer(ctx, &api.ResetPeerRequest{Address: p.cfg.Address.String(), Communication: "bgplb: graceful restart"}); err != nil {
			errs = append(errs, fmt.Errorf("gobgp: reset %s: %w", p.cfg, err))
		}
	}
	deadline := time.Now().Add(3 * time.Second)
	for len(started) > 0 && time.Now().Before(deadline) {
		up := 0
		err := s.bgp.ListPeer(ctx, &api.ListPeerRequest{}, func(ap *api.Peer) {
			if ap.GetState().GetSessionState() == api.PeerState_ESTABLISHED {
				up++
			}
		})
		if err != nil || up == 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	return errors.Join(errs...)
}
