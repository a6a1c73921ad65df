package model

import (
	"net/netip"
	"slices"
	"time"
)

// Lab is a resolved, validated topology: every default applied, every address assigned,
// every interface named and every BGP session expanded. Slices are in a deterministic
// order (nodes and links as declared, sessions sorted), so resolving twice gives equal Labs.
type Lab struct {
	Name string `json:"name"`
	// Tag is a short hash of Name that host-side names carry, so two labs can coexist.
	Tag         string `json:"tag"`
	Description string `json:"description,omitempty"`

	Nodes    []LabNode `json:"nodes"`
	Links    []LabLink `json:"links"`
	Sessions []Session `json:"sessions"`
	// BFDProfiles are the profiles sessions use, by name.
	BFDProfiles map[string]BFDProfile `json:"bfdProfiles,omitempty"`
	// VIPs are the service ranges (IPv4 first).
	VIPs []netip.Prefix `json:"vips"`
	// IPv6 says the lab has IPv6 addresses and sessions.
	IPv6 bool `json:"ipv6,omitempty"`
	// ManifestFiles are the topology's own manifests (paths as written); when set,
	// Manifests() returns no derived MetalLB objects.
	ManifestFiles []string `json:"manifestFiles,omitempty"`
}

// LabNode is one resolved node.
type LabNode struct {
	Name  string `json:"name"`
	Role  Role   `json:"role"`
	Kind  string `json:"kind"`
	Site  string `json:"site,omitempty"`
	Group string `json:"group,omitempty"`
	// ASN is the router's ASN or the speaker's ASN; 0 for clients and bridges.
	ASN uint32 `json:"asn,omitempty"`
	// RouterID is the IPv4 loopback of a router, or the first IPv4 interface address of a
	// k8s node.
	RouterID netip.Addr `json:"routerID,omitzero"`
	// Loopbacks go on the node's lo (routers only: router ID and iBGP source).
	Loopbacks  []netip.Prefix `json:"loopbacks,omitempty"`
	Interfaces []Interface    `json:"interfaces,omitempty"`
	// Routes are static routes for clients and k8s nodes: every lab prefix they are not
	// attached to (and, for clients, the VIPs) via the routers on their LANs. All
	// destinations are lab prefixes: there is never a route out of the lab.
	Routes []Route `json:"routes,omitempty"`
	// Labels are the Kubernetes Node labels (k8s nodes only), zone from the site included.
	Labels map[string]string `json:"labels,omitempty"`
	// MaximumPaths is the router's ECMP width.
	MaximumPaths int `json:"maximumPaths,omitempty"`
	// Policy is the router's inbound policy for speaker routes.
	Policy *Policy `json:"policy,omitempty"`
}

// Interface is one interface inside a node.
type Interface struct {
	// Name inside the node's namespace or container (eth1, eth2, ... unless set): <= 15 chars.
	Name string `json:"name"`
	// Link is the LabLink.Name this interface belongs to.
	Link string `json:"link"`
	// HostName is the name of this veth's other end outside the node: the bridge port for a
	// bridge link, or a temporary name while a veth pair is created. Unique per lab (it
	// carries Lab.Tag) and <= 15 chars.
	HostName  string         `json:"hostName"`
	Addresses []netip.Prefix `json:"addresses,omitempty"`
}

// LinkKind is how a link is built.
type LinkKind string

// The link kinds.
const (
	LinkVeth   LinkKind = "veth"   // two ends, one veth pair
	LinkBridge LinkKind = "bridge" // a Linux bridge; each end is a veth with one end on the bridge
)

// LabLink is one resolved link.
type LabLink struct {
	Name string   `json:"name"`
	Kind LinkKind `json:"kind"`
	// Bridge is the host-side bridge device (bridge links only): <= 15 chars, carries Lab.Tag.
	Bridge string `json:"bridge,omitempty"`
	// Prefixes are the link's subnets (IPv4 first).
	Prefixes []netip.Prefix `json:"prefixes"`
	Ends     []LinkEnd      `json:"ends"`
}

// LinkEnd is one node's end of a link.
type LinkEnd struct {
	Node      string         `json:"node"`
	Interface string         `json:"interface"`
	HostName  string         `json:"hostName"`
	Addresses []netip.Prefix `json:"addresses,omitempty"`
}

// Route is a static route with ECMP next hops.
type Route struct {
	Prefix netip.Prefix `json:"prefix"`
	Via    []netip.Addr `json:"via"`
}

// SessionKind says which sort of BGP session it is.
type SessionKind string

// The session kinds.
const (
	SessionIBGP    SessionKind = "ibgp"    // router-router, same ASN
	SessionEBGP    SessionKind = "ebgp"    // router-router, different ASNs
	SessionSpeaker SessionKind = "speaker" // router-k8s node (our speaker)
)

// Session is one BGP session. A is always a router; B is a router or a k8s node. There is
// one session per address family (IPv4, and IPv6 when the lab has it).
type Session struct {
	Kind SessionKind `json:"kind"`
	A    SessionEnd  `json:"a"`
	B    SessionEnd  `json:"b"`
	// Link is the link the session runs over (directly connected: no multihop).
	Link string `json:"link"`

	Password      string        `json:"password,omitempty"`
	HoldTime      time.Duration `json:"holdTime,omitempty"`
	KeepaliveTime time.Duration `json:"keepaliveTime,omitempty"`
	// BFD names an entry of Lab.BFDProfiles; "" = no BFD.
	BFD           string `json:"bfd,omitempty"`
	MaximumPrefix uint32 `json:"maximumPrefix,omitempty"`
	TTLSecurity   uint8  `json:"ttlSecurity,omitempty"`
}

// SessionEnd is one side of a session.
type SessionEnd struct {
	Node    string     `json:"node"`
	Address netip.Addr `json:"address"`
	ASN     uint32     `json:"asn"`
}

// Node returns the named node, or nil.
func (l *Lab) Node(name string) *LabNode {
	for i := range l.Nodes {
		if l.Nodes[i].Name == name {
			return &l.Nodes[i]
		}
	}
	return nil
}

// NodesWithRole returns the nodes of one role, in declaration order.
func (l *Lab) NodesWithRole(r Role) []LabNode {
	var out []LabNode
	for _, n := range l.Nodes {
		if n.Role == r {
			out = append(out, n)
		}
	}
	return out
}

// SessionsOf returns the sessions one node takes part in, in Lab order.
func (l *Lab) SessionsOf(node string) []Session {
	return slices.DeleteFunc(slices.Clone(l.Sessions), func(s Session) bool {
		return s.A.Node != node && s.B.Node != node
	})
}

// Capabilities is what a backend can run; each backend reports its own, and Resolve
// rejects a topology that needs more.
type Capabilities struct {
	// Backend names the backend in messages ("netns", "clab").
	Backend string
	// Known are the router kinds bgplb knows (the kind registry's names): a node of
	// another kind is an unknown kind, not one this backend cannot run.
	Known []string
	// Kinds are the router kinds it can run (emulated ones included).
	Kinds []string
	IPv6  bool
	BFD   bool
	// Bridges: links with 3+ ends or bridge nodes.
	Bridges bool
	// MD5: TCP MD5 session passwords.
	MD5 bool
	// GTSM: TTL security.
	GTSM bool
}

// AllCapabilities accepts everything the model can express; for tests and for checking a
// topology without a backend in mind.
// known are the router kinds (the kind registry's names).
func AllCapabilities(known []string) Capabilities {
	return Capabilities{Backend: "any", Known: slices.Clone(known), Kinds: slices.Clone(known), IPv6: true, BFD: true, Bridges: true, MD5: true, GTSM: true}
}
