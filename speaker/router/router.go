// Package router is the speaker's port to a BGP implementation.
//
// The port is declarative, as MetalLB's Session.Set and Cilium's BGP reconcilers
// are: the caller hands the FULL desired state (every session, every route of a
// session) and the implementation diffs it against what it has applied and applies
// the difference. Applying the same state twice changes nothing on the wire. When an
// apply fails part way, the implementation's record of what it applied stays true
// (it is updated route by route), the error says how far it got (*PartialError), and
// the next call with the same desired state finishes the job.
//
// The types here are independent of GoBGP and of the controller's config, so the
// speaker/gobgp adapter and the routes→router translation stay thin.
package router

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// Router runs BGP sessions and announces routes over them.
type Router interface {
	// SetPeers makes the running sessions exactly peers (keyed by Peer.Name).
	// Sessions not listed are closed and their routes withdrawn; changed peers are
	// updated in place when the implementation can do so without a session reset.
	SetPeers(ctx context.Context, peers []Peer) error
	// SetRoutes makes the routes announced to one peer exactly routes (keyed by
	// Route.Prefix). The peer must have been given to SetPeers.
	SetRoutes(ctx context.Context, peer string, routes []Route) error
	// Sessions reports every configured session, sorted by name.
	Sessions(ctx context.Context) ([]Session, error)
	// Watch calls fn for every session state change until ctx is done. fn runs on
	// one goroutine, in order, and must not block for long.
	Watch(ctx context.Context, fn func(SessionEvent)) error
	// ResetPeer tears a session down now (BFD said the peer is gone). hard=false
	// lets a graceful-restart-capable router keep our routes while we reconnect.
	ResetPeer(ctx context.Context, peer string, hard bool) error
	// Close stops every session. graceful=true stops without withdrawing, so
	// routers that negotiated graceful restart keep our routes for their restart
	// time; graceful=false withdraws every route first, so routers drop them at once.
	Close(ctx context.Context, graceful bool) error
}

// Family is the set of address families a session carries.
type Family uint8

const (
	// IPv4 is IPv4 unicast only (the zero value's meaning too).
	IPv4 Family = 1 << iota
	// IPv6 is IPv6 unicast only.
	IPv6
	// DualStack carries IPv4 and IPv6 unicast over one session.
	DualStack = IPv4 | IPv6
)

// Peer is one BGP session, dialed out to the router (we never need to listen).
type Peer struct {
	// Name identifies the session (the BGPPeer name); SetRoutes refers to it.
	Name    string
	Address netip.Addr
	// Port is the router's TCP port; 0 means 179.
	Port uint16
	// MyASN is our AS on this session; 0 means the speaker's global ASN.
	MyASN uint32
	// ASN is the router's AS; 0 means "whatever the router says in its OPEN",
	// within what Dynamic allows.
	ASN uint32
	// Dynamic is MetalLB's dynamicASN, used when ASN is 0: DynamicInternal accepts
	// only a router whose AS equals ours (MyASN), DynamicExternal only one whose AS
	// differs. A router that opens with the wrong kind of AS never reaches
	// Established, and Session.Refused says why.
	Dynamic Dynamic
	// SourceAddress is the local address to dial from; zero lets the kernel choose.
	SourceAddress netip.Addr
	// RouterID, when set, must equal the speaker's router ID: BGP implementations
	// that run one server per speaker have one router ID.
	RouterID netip.Addr
	// HoldTime and KeepaliveTime are proposed in OPEN; zero means 90 s and
	// HoldTime/3. ConnectTime is how often a failed connect is retried; zero
	// means 2 s (GoBGP's own default is 120 s, far too slow for a router reboot).
	HoldTime, KeepaliveTime, ConnectTime time.Duration
	// Password is the TCP MD5 (RFC 2385) key. Implementations never log it.
	Password string
	// EBGPMultiHop allows an eBGP router that is not directly connected (TTL 255).
	EBGPMultiHop bool
	// GracefulRestart advertises the RFC 4724 capability (and RFC 8538 "N" bit).
	GracefulRestart bool
	// Families carried; zero means IPv4, or IPv6 when Address is IPv6.
	Families Family
}

// Dynamic is a dynamicASN mode.
type Dynamic string

// The dynamicASN modes; NoDynamic means ASN is the router's AS.
const (
	NoDynamic       Dynamic = ""
	DynamicInternal Dynamic = "internal"
	DynamicExternal Dynamic = "external"
)

// Codes of Session.Refused: why the router's OPEN was refused.
const (
	// RefusedPeerASN: the router's AS is not the configured ASN.
	RefusedPeerASN = "peerASN"
	// RefusedDynamicInternal: dynamicASN internal, and the router's AS is not ours.
	RefusedDynamicInternal = "dynamicASN-internal"
	// RefusedDynamicExternal: dynamicASN external, and the router's AS is ours.
	RefusedDynamicExternal = "dynamicASN-external"
)

// String names the peer for logs and errors; it never includes the password.
func (p Peer) String() string { return fmt.Sprintf("%s(%s)", p.Name, p.Address) }

// Route is one announcement to one peer.
type Route struct {
	Prefix netip.Prefix
	// NextHop is the BGP next hop; the zero value means the session's own local
	// address (next-hop-self).
	NextHop netip.Addr
	// Communities are standard communities (high 16 bits AS, low 16 bits value).
	Communities []uint32
	// LargeCommunities are RFC 8092 communities (global admin, data1, data2).
	LargeCommunities [][3]uint32
	// LocalPref is LOCAL_PREF; 0 means none. Only iBGP peers ever receive it.
	LocalPref uint32
}

// State is a BGP FSM state.
type State string

// The BGP FSM states (RFC 4271 §8.2.2).
const (
	Idle        State = "Idle"
	Connect     State = "Connect"
	Active      State = "Active"
	OpenSent    State = "OpenSent"
	OpenConfirm State = "OpenConfirm"
	Established State = "Established"
)

// Session is the observed state of one configured peer.
type Session struct {
	Peer  string
	State State
	// Since is when the session entered State (zero if unknown).
	Since time.Time
	// LastError explains why the session is not (or was not) Established:
	// the last down reason, or a likely cause such as an MD5 mismatch.
	LastError string
	// Refused is a Refused* code while the router's OPEN is being refused (its AS
	// is not one this session accepts), "" otherwise.
	Refused string
	// PrefixesSent counts the routes applied for this peer (what the router gets
	// while the session is up); PrefixesPending counts desired routes not yet applied.
	PrefixesSent, PrefixesPending int
}

// SessionEvent is one session state change.
type SessionEvent struct {
	Peer      string
	State     State
	Since     time.Time
	LastError string
	// Refused is Session.Refused.
	Refused string
}

// ErrUnknownPeer is returned for a peer name that SetPeers was not given.
var ErrUnknownPeer = errors.New("unknown peer")

// PartialError reports an apply that stopped part way. The implementation's record
// of what it applied stays true, so retrying with the same desired state finishes it.
type PartialError struct {
	Peer    string
	Applied int // changes applied before the failure
	Pending int // changes not applied
	Err     error
}

func (e *PartialError) Error() string {
	return fmt.Sprintf("peer %s: %d changes applied, %d pending: %v", e.Peer, e.Applied, e.Pending, e.Err)
}

func (e *PartialError) Unwrap() error { return e.Err }
