package config

import (
	"net/netip"
	"time"

	"k8s.io/apimachinery/pkg/labels"
)

// Timer defaults used when a BGPPeer sets neither holdTime nor keepaliveTime
// (MetalLB's: RFC 4271's suggested 90 s hold time, a third of it as keepalive).
const (
	DefaultHoldTime      = 90 * time.Second
	DefaultKeepaliveTime = 30 * time.Second
	DefaultPort          = 179
)

// DynamicASN is a BGPPeer's dynamicASN mode: accept whatever AS the peer sends, as
// long as it is the same as ours (internal) or different (external).
type DynamicASN string

// The dynamic AS modes. NoDynamicASN means PeerASN is set.
const (
	NoDynamicASN       DynamicASN = ""
	DynamicASNInternal DynamicASN = "internal"
	DynamicASNExternal DynamicASN = "external"
)

// Peer is a validated BGPPeer: one BGP session from every selected node to a router.
type Peer struct {
	Name  string
	MyASN uint32
	// LocalASN, when non-zero, is the AS presented to this peer instead of MyASN.
	LocalASN uint32
	// PeerASN is the AS the router must present; 0 when DynamicASN is set.
	PeerASN    uint32
	DynamicASN DynamicASN
	// Address is the router's address; invalid (zero) when Interface is used.
	Address netip.Addr
	// Interface names the node interface for unnumbered BGP; "" when Address is used.
	Interface string
	// SourceAddress is the local address to use; zero means the kernel's choice.
	SourceAddress netip.Addr
	Port          uint16
	// HoldTime and KeepaliveTime are resolved: defaults filled in, and one derived
	// from the other when only one was set (keepalive = hold/3, hold = 3*keepalive).
	// HoldTime 0 disables keepalives (RFC 4271).
	HoldTime      time.Duration
	KeepaliveTime time.Duration
	// ConnectTime is the retry interval; 0 means the BGP implementation's default.
	ConnectTime time.Duration
	// RouterID overrides the node's router ID; zero means use the node's.
	RouterID netip.Addr
	// NodeSelectors choose the nodes that open this session: a node is selected when
	// any selector matches it (OR across entries, AND within one). Empty means all.
	NodeSelectors []labels.Selector
	// Password is the TCP MD5 password, from password or passwordSecret; it never prints.
	Password Password
	// BFDProfile names the BFD profile guarding the session; "" means no BFD.
	BFDProfile      string
	EBGPMultiHop    bool
	GracefulRestart bool
	VRF             string
	// DualStack advertises IPv4 and IPv6 routes over this one session.
	DualStack bool
	// DisableMP is MetalLB's deprecated predecessor of DualStack, kept for fidelity.
	DisableMP bool
	// Legacy is true when the peer came from a deprecated v1beta1 BGPPeer.
	Legacy bool
	// Waiting, when set, says what the session waits for before it may run (a
	// passwordSecret that does not exist yet); no node runs it meanwhile.
	Waiting string
}

// IsIBGP reports whether the session is internal (same AS on both ends).
func (p *Peer) IsIBGP() bool {
	if p.DynamicASN != NoDynamicASN {
		return p.DynamicASN == DynamicASNInternal
	}
	return p.PeerASN == p.MyASN
}

// SelectsNode reports whether a node with these labels opens this session.
func (p *Peer) SelectsNode(nodeLabels labels.Set) bool {
	return anySelects(p.NodeSelectors, nodeLabels)
}

// endpoint identifies the far end of the session for duplicate detection.
func (p *Peer) endpoint() string {
	if p.Interface != "" {
		return "interface " + p.Interface + " vrf " + p.VRF
	}
	return "address " + p.Address.String() + " vrf " + p.VRF
}
