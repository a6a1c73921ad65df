// Package gobgp is the router port (speaker/router) on an embedded GoBGP v3 server.
// It is the only package in the repository that imports GoBGP; GoBGP types never
// leave it.
//
// # Per-peer attributes: one VRF per peer
//
// MetalLB's primary/backup setup announces the SAME prefix to different peers with
// different communities and LOCAL_PREF. GoBGP's global RIB holds one path per
// prefix and source, so each peer gets its own VRF (RD and route target
// 65535:<n>, never seen outside this process) and its neighbor is bound to it
// (PeerConf.Vrf). A route for peer P is added to P's VRF with exactly P's
// attributes; GoBGP exports a VRF's paths only to the neighbor bound to it, turning
// them back into plain IPv4/IPv6 unicast and dropping the route-target extended
// community (Path.ToLocal). Adding, replacing or withdrawing a route for one peer
// touches that peer only: no export policy has to be re-evaluated, no other
// session sees an UPDATE.
//
// The alternative, one global path per prefix plus per-peer export policies that
// match prefix-sets (one per distinct attribute set) and rewrite attributes, was
// rejected: GoBGP decides whether to withdraw a path from a peer by evaluating the
// OLD path against the CURRENT policy (BgpServer.filterpath), so removing a prefix
// from one peer's set never withdraws it from that peer; working around it means a
// withdraw-and-re-announce to every peer or a soft reset (full re-advertisement) of
// the peer, both UPDATE churn at 100,000 prefixes. The VRF cost is one path per
// (peer, prefix) — the same order as the UPDATEs each router receives anyway.
//
// # Session changes (UpdatePeer)
//
//	change                                   GoBGP        this adapter
//	HoldTime, KeepaliveTime, ConnectTime     no reset     UpdatePeer; hold/keepalive take effect at the next OPEN
//	EBGPMultiHop                             no reset     UpdatePeer; TTL set on the live socket
//	Address                                  new neighbor DeletePeer + AddPeer (routes stay in the peer's VRF)
//	ASN, MyASN, Password, Port, Source,      reset        DeletePeer + AddPeer
//	Families, GracefulRestart
package gobgp

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	api "github.com/osrg/gobgp/v3/api"
	"github.com/osrg/gobgp/v3/pkg/server"

	"github.com/bgplb/bgplb/speaker/router"
)

// Config is the speaker-wide part of the BGP configuration.
type Config struct {
	// ASN is the global AS (peers whose MyASN differs get a per-neighbor local AS).
	ASN      uint32
	RouterID netip.Addr
	// ListenPort 0 means no listener at all (dial-out only); set it to accept
	// connections too (e.g. 179).
	ListenPort int32
	// ListenAddresses limit the listener (default all).
	ListenAddresses []string
	// Logger receives GoBGP's logs (passwords scrubbed); nil discards them.
	Logger *slog.Logger
	// Now is the clock for session timestamps; nil means time.Now.
	Now func() time.Time
	// MD5HintAfter is how long a session with a password may stay without ever
	// answering the TCP connect before LastError says "likely MD5 mismatch";
	// zero means 2×ConnectTime, at least 6 s.
	MD5HintAfter time.Duration
}

// Server implements router.Router on an embedded GoBGP server.
type Server struct {
	cfg  Config
	log  *slog.Logger
	bgp  *server.BgpServer
	logs *logBridge

	// op serializes the mutating calls and guards peer fields, nextVRF and closed;
	// mu guards the peers and byAddr maps, which events and Sessions read.
	op     sync.Mutex
	mu     sync.Mutex
	peers  map[string]*peer
	byAddr map[string]string // neighbor address -> peer name
	// learned is, per dynamicASN external peer, the router's AS once its first
	// OPEN showed it is not ours (guarded by mu).
	learned map[string]uint32
	nextVRF uint32
	closed  bool

	track  *tracker
	cancel context.CancelFunc
	done   chan struct{}
}

var _ router.Router = (*Server)(nil)

// peer is one configured session and what has really been applied for it.
type peer struct {
	cfg     router.Peer
	vrf     string
	started bool                          // the GoBGP neighbor exists
	routes  map[netip.Prefix]router.Route // applied: in GoBGP's RIB now
	// sent mirrors len(routes) and pending counts the changes the last SetRoutes
	// could not apply; both are read by Sessions without taking op.
	sent, pending atomic.Int64
}

// New starts a GoBGP server: no listener unless cfg.ListenPort is set, and a global
// import policy that rejects every route a router sends us (we only announce).
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.ASN == 0 || !cfg.RouterID.Is4() {
		return nil, fmt.Errorf("gobgp: ASN (%d) and an IPv4 RouterID (%v) are required", cfg.ASN, cfg.RouterID)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logs := newLogBridge(logger)
	s := &Server{
		cfg:     cfg,
		log:     logger,
		logs:    logs,
		peers:   map[string]*peer{},
		byAddr:  map[string]string{},
		learned: map[string]uint32{},
		done:    make(chan struct{}),
	}
	logs.badPeerAS = func(addr string, expected, received uint32) { go s.openRefused(addr, expected, received) }
	s.bgp = server.NewBgpServer(server.LoggerOption(logs))
	go s.bgp.Serve()
	port := cfg.ListenPort
	if port == 0 {
		port = -1 // GoBGP: negative = no listener; 0 would mean 179
	}
	err := s.bgp.StartBgp(ctx, &api.StartBgpRequest{Global: &api.Global{
		Asn:             cfg.ASN,
		RouterId:        cfg.RouterID.String(),
		ListenPort:      port,
		ListenAddresses: cfg.ListenAddresses,
	}})
	if err != nil {
		s.bgp.Stop()
		return nil, fmt.Errorf("gobgp: start: %w", err)
	}
	if err := rejectReceived(ctx, s.bgp); err != nil {
		s.bgp.Stop()
		return nil, err
	}
	wctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.track = newTracker(cfg.Now, logs, cfg.MD5HintAfter)
	if err := s.bgp.WatchEvent(wctx, &api.WatchEventRequest{Peer: &api.WatchEventRequest_Peer{}}, s.onEvent); err != nil {
		cancel()
		s.bgp.Stop()
		return nil, fmt.Errorf("gobgp: watch peer events: %w", err)
	}
	go s.track.run(wctx, s.done)
	return s, nil
}

// rejectReceived installs the global import policy: accept our own (local) paths,
// reject everything else. GoBGP applies the global import policy to locally added
// paths too, so a bare "default reject" would drop our own announcements.
func rejectReceived(ctx context.Context, b *server.BgpServer) error {
	const name = "bgplb-accept-local-only"
	err := b.AddPolicy(ctx, &api.AddPolicyRequest{Policy: &api.Policy{
		Name: name,
		Statements: []*api.Statement{{
			Name:       name + "-local",
			Conditions: &api.Conditions{RouteType: api.Conditions_ROUTE_TYPE_LOCAL},
			Actions:    &api.Actions{RouteAction: api.RouteAction_ACCEPT},
		}},
	}})
	if err != nil {
		return fmt.Errorf("gobgp: import policy: %w", err)
	}
	err = b.SetPolicyAssignment(ctx, &api.SetPolicyAssignmentRequest{Assignment: &api.PolicyAssignment{
		Name:          "global",
		Direction:     api.PolicyDirection_IMPORT,
		Policies:      []*api.Policy{{Name: name}},
		DefaultAction: api.RouteAction_REJECT,
	}})
	if err != nil {
		return fmt.Errorf("gobgp: assign import policy: %w", err)
	}
	return nil
}

// onEvent runs on GoBGP's watch goroutine: translate and hand to the tracker.
func (s *Server) onEvent(r *api.WatchEventResponse) {
	pe := r.GetPeer()
	if pe == nil || pe.Type != api.WatchEventResponse_PeerEvent_STATE || pe.Peer == nil || pe.Peer.State == nil {
		return
	}
	addr := pe.Peer.State.NeighborAddress
	s.mu.Lock()
	name, ok := s.byAddr[addr]
	s.mu.Unlock()
	if !ok {
		return // a peer we just deleted
	}
	s.track.state(name, addr, stateOf(pe.Peer.State.SessionState))
}

func stateOf(st api.PeerState_SessionState) router.State {
	switch st {
	case api.PeerState_CONNECT:
		return router.Connect
	case api.PeerState_ACTIVE:
		return router.Active
	case api.PeerState_OPENSENT:
		return router.OpenSent
	case api.PeerState_OPENCONFIRM:
		return router.OpenConfirm
	case api.PeerState_ESTABLISHED:
		return router.Established
	default:
		return router.Idle
	}
}

// Watch implements router.Router.
func (s *Server) Watch(ctx context.Context, fn func(router.SessionEvent)) error {
	s.track.watch(ctx, fn)
	return nil
}

// Sessions implements router.Router.
func (s *Server) Sessions(context.Context) ([]router.Session, error) {
	s.mu.Lock()
	counts := make(map[string][2]int, len(s.peers))
	for name, p := range s.peers {
		counts[name] = [2]int{int(p.sent.Load()), int(p.pending.Load())}
	}
	s.mu.Unlock()
	out := s.track.sessions()
	for i := range out {
		c := counts[out[i].Peer]
		out[i].PrefixesSent, out[i].PrefixesPending = c[0], c[1]
	}
	return out, nil
}
