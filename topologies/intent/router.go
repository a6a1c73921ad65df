// Package render holds the router intent every router renderer consumes, and the
// registry of renderers. The intent is NOS-neutral: the lab's topology model produces
// it for lab routers, and `bgplb router-config` produces it from MetalLB manifests for
// an operator's real routers, so both get the same, tested configuration.
package intent

import (
	"net/netip"
	"time"
)

// Router is everything a renderer needs to configure one router.
type Router struct {
	Name     string
	ASN      uint32
	RouterID netip.Addr

	// Interfaces are the router's links with their addresses. Renderers for NOSes that
	// own their interfaces (VyOS, EOS, IOS-XE) configure them; FRR, BIRD and gobgpd in the
	// namespace backend get addresses from the backend and may ignore them.
	Interfaces []Interface
	// Loopbacks are addresses on the loopback interface (router ID, iBGP update source).
	Loopbacks []netip.Prefix

	Neighbors []Neighbor

	// Networks are prefixes the router originates itself (a client LAN, say).
	Networks []netip.Prefix

	// MaximumPaths is the ECMP width for eBGP and iBGP paths; 0 or 1 means no ECMP.
	MaximumPaths int

	// SpeakerPolicy is applied inbound on every neighbor whose Role is RoleSpeaker.
	SpeakerPolicy Policy

	// LogFile, when set, is where the router should log (lab use).
	LogFile string
}

// Interface is one addressed interface of the router.
type Interface struct {
	Name        string
	Addresses   []netip.Prefix
	Description string
}

// Role says what is on the other end of a session.
type Role string

// The roles of a neighbor.
const (
	RoleSpeaker Role = "speaker" // a bgplb (or MetalLB) node: inbound policy applies
	RoleRouter  Role = "router"  // another router: iBGP inside a site, eBGP between sites
)

// Neighbor is one BGP session.
type Neighbor struct {
	Address     netip.Addr
	ASN         uint32
	Role        Role
	Description string

	// Password enables TCP MD5 (RFC 2385). Empty: no authentication.
	Password string
	// HoldTime and KeepaliveTime; zero leaves the NOS default.
	HoldTime      time.Duration
	KeepaliveTime time.Duration

	// BFD, when set, runs a BFD session beside the BGP session.
	BFD *BFD

	// EBGPMultihop is the TTL for an eBGP session more than one hop away; 0 = directly connected.
	EBGPMultihop uint8
	// TTLSecurityHops enables GTSM (RFC 5082): accept only packets at most this many hops away.
	// 0 disables it. Exclusive with EBGPMultihop on most NOSes.
	TTLSecurityHops uint8
	// MaximumPrefix tears the session down (or warns, per NOS) past this many prefixes; 0 = no limit.
	MaximumPrefix uint32

	// UpdateSource is the interface (usually lo) or address the session is sourced from.
	UpdateSource string
	// NextHopSelf rewrites the next hop on routes sent to this (iBGP) neighbor.
	NextHopSelf bool
	// RouteReflectorClient marks an iBGP neighbor as a route-reflector client.
	RouteReflectorClient bool
	// Passive waits for the neighbor to connect.
	Passive bool

	// IPv4 and IPv6 activate the unicast address families. Both false means the family
	// of Address only.
	IPv4 bool
	IPv6 bool
}

// BFD is a BFD profile for one session. Intervals are in milliseconds.
type BFD struct {
	Profile          string
	ReceiveInterval  uint32
	TransmitInterval uint32
	DetectMultiplier uint8
	Passive          bool
	// MinimumTTL applies to multihop BFD only.
	MinimumTTL uint8
}

// Policy is what a router does with routes from the speakers: accept only the service
// address ranges, and act on the communities the speakers attach.
type Policy struct {
	// Accept lists the prefix ranges accepted; everything else is rejected.
	Accept []PrefixRange
	// CommunityActions set attributes when a route carries a community, in order.
	CommunityActions []CommunityAction
	// DefaultLocalPref, when non-zero, is set on accepted routes that no action matched.
	DefaultLocalPref uint32
}

// PrefixRange accepts Prefix and every more specific prefix up to length Le
// (Le 0 means exactly Prefix's length).
type PrefixRange struct {
	Prefix netip.Prefix
	Le     int
}

// CommunityAction sets LOCAL_PREF on routes that carry Community.
type CommunityAction struct {
	// Community is "A:B", "large:A:B:C" or a well-known name such as "no-export".
	Community string
	LocalPref uint32
}

// File is one rendered configuration file, relative to the router's config directory.
type File struct {
	Path    string
	Content []byte
}
