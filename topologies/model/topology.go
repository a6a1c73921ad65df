// Package model is the lab's topology model: the YAML schema of a lab (Topology), the
// precedence rules that fill in what a node does not say, the automatic address plan, and
// the resolved, validated Lab that backends bring up and renderers configure.
//
// The flow is one-way and pure (no file I/O; the caller reads the file):
//
//	data ──Parse──► *Topology ──Resolve(caps)──► *Lab ──► RouterIntent(node) / Manifests()
//
// Resolve validates as it goes and returns every finding at once (errors.Join), each naming
// the object, the field and a fix; Validate is Resolve without the result.
//
// # Precedence
//
// Every node's Settings are merged from four levels, most specific first:
//
//	node > group (node.group) > kind (kinds[kind]) > defaults
//
// A field set at a more specific level wins. Scalars and pointers are taken whole; Labels
// merge per key; Peers is taken whole; the Speakers and Routers session blocks merge per
// field (a group may set the password while defaults set the hold time). Kind and Role are
// resolved first (node > group > defaults) because the kind level depends on them. A router's
// ASN falls back to its site's ASN before defaults. Built-in fallbacks when nothing is set:
// router ASN 64512, k8s-node ASN 64513, maximum-paths 1.
package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// Topology is one lab file as written. Zero values mean "not set" and are filled by
// Resolve from the levels above and the built-in defaults.
type Topology struct {
	// Name names the lab; host-side interface and bridge names derive a short hash from
	// it so two labs can run side by side. Lowercase letters, digits and '-'.
	Name string `json:"name"`
	// Description is free text for `lab topologies`.
	Description string `json:"description,omitempty"`

	// Defaults apply to every node (the least specific level).
	Defaults Settings `json:"defaults,omitempty"`
	// Kinds holds settings per kind ("frr", "bird", "k8s-node", ...).
	Kinds map[string]Settings `json:"kinds,omitempty"`
	// Groups holds named settings a node joins with `group:`.
	Groups map[string]Settings `json:"groups,omitempty"`
	// Sites are failure domains (dc1, dc2...). A k8s node's site becomes its
	// topology.kubernetes.io/zone label; a router's site may give its ASN.
	Sites map[string]Site `json:"sites,omitempty"`

	// Pools are the address ranges automatic assignment draws from.
	Pools Pools `json:"pools,omitempty"`
	// BFDProfiles are named BFD timers that session settings refer to by name.
	BFDProfiles map[string]BFDProfile `json:"bfdProfiles,omitempty"`

	Nodes []Node `json:"nodes"`
	Links []Link `json:"links,omitempty"`

	// RouterSessions lists router pairs that run BGP with each other. Omitted (nil):
	// every pair of routers joined by a two-ended link, iBGP when their ASNs match and
	// eBGP otherwise. An empty list means no router-router sessions.
	RouterSessions *[][2]string `json:"routerSessions,omitempty"`

	// Manifests, when set, replaces the MetalLB objects the lab would derive from the BGP
	// intent: paths (relative to the topology file) the caller loads and applies as-is.
	Manifests []string `json:"manifests,omitempty"`
}

// Site is one failure domain.
type Site struct {
	// ASN is the default ASN of the site's routers (node > group > kind > site > defaults).
	ASN         uint32 `json:"asn,omitempty"`
	Description string `json:"description,omitempty"`
}

// Role is what a node is in the lab.
type Role string

// The node roles.
const (
	RoleRouter  Role = "router"   // runs a routing daemon (a router kind of the registry)
	RoleK8sNode Role = "k8s-node" // a Kubernetes node running our speaker
	RoleClient  Role = "client"   // a traffic source
	RoleBridge  Role = "bridge"   // a LAN: every link to it joins one Linux bridge
)

// Settings are the inheritable fields of a node; see the package comment for precedence.
type Settings struct {
	// Role defaults from Kind: a router kind implies "router"; otherwise required.
	Role Role `json:"role,omitempty"`
	// Kind is the router kind, or for other roles the role's name (the default).
	Kind string `json:"kind,omitempty"`
	// Site names an entry of Topology.Sites.
	Site string `json:"site,omitempty"`
	// ASN is the router's ASN, or the speaker's ASN on a k8s node.
	ASN uint32 `json:"asn,omitempty"`
	// Labels are Kubernetes Node labels for k8s nodes (merged per key).
	Labels map[string]string `json:"labels,omitempty"`

	// Peers (k8s nodes) names the routers the node's speaker peers with. Unset: every
	// router on a LAN the node is on.
	Peers []string `json:"peers,omitempty"`

	// MaximumPaths (routers) is the ECMP width for BGP paths.
	MaximumPaths *int `json:"maximumPaths,omitempty"`
	// Policy (routers) is what the router does with the speakers' routes.
	Policy *Policy `json:"policy,omitempty"`
	// Speakers (routers) are the settings of the router's sessions with k8s nodes.
	Speakers *SessionSettings `json:"speakers,omitempty"`
	// Routers (routers) are the settings of the router's sessions with other routers.
	// Both ends of a router-router session must agree on them.
	Routers *SessionSettings `json:"routers,omitempty"`
}

// SessionSettings are per-session BGP settings; each field merges separately.
type SessionSettings struct {
	// Password enables TCP MD5; "" at a more specific level turns it off again.
	Password *string `json:"password,omitempty"`
	// HoldTime and KeepaliveTime, e.g. "9s" and "3s".
	HoldTime      *metav1.Duration `json:"holdTime,omitempty"`
	KeepaliveTime *metav1.Duration `json:"keepaliveTime,omitempty"`
	// BFD names an entry of Topology.BFDProfiles; "" turns BFD off.
	BFD *string `json:"bfd,omitempty"`
	// MaximumPrefix limits the prefixes accepted from the neighbor; 0 = no limit.
	MaximumPrefix *uint32 `json:"maximumPrefix,omitempty"`
	// TTLSecurity enables GTSM (RFC 5082) with this many hops; 0 = off.
	TTLSecurity *uint8 `json:"ttlSecurity,omitempty"`
}

// Policy is a router's inbound policy for speaker routes. The accepted prefixes are
// always the VIP pools (up to /32 and /128); the policy adds community actions.
type Policy struct {
	Communities []CommunityPref `json:"communities,omitempty"`
	// DefaultLocalPref is set on accepted routes no community matched; 0 = leave it.
	DefaultLocalPref uint32 `json:"defaultLocalPref,omitempty"`
}

// CommunityPref sets LOCAL_PREF on routes carrying Community ("A:B").
type CommunityPref struct {
	Community string `json:"community"`
	LocalPref uint32 `json:"localPref"`
}

// BFDProfile is a named set of BFD timers, in milliseconds.
type BFDProfile struct {
	ReceiveInterval  uint32 `json:"receiveInterval,omitempty"`
	TransmitInterval uint32 `json:"transmitInterval,omitempty"`
	DetectMultiplier uint8  `json:"detectMultiplier,omitempty"`
	Passive          bool   `json:"passive,omitempty"`
}

// Pools are the ranges addresses are assigned from. Each list may hold IPv4 and IPv6
// prefixes; an empty family falls back to the built-in default (IPv6 only when IPv6 is set).
// Every pool must lie inside the documentation ranges.
type Pools struct {
	// Loopback: /32 (and /128) router loopbacks. Default 192.0.2.0/25, 2001:db8:0:ff::/64.
	Loopback []netip.Prefix `json:"loopback,omitempty"`
	// P2P: /31 (and /127) per two-ended link. Default 198.51.100.0/24, 2001:db8:0:100::/56.
	P2P []netip.Prefix `json:"p2p,omitempty"`
	// LAN: one subnet per bridge, /26 or larger as members need (and /64).
	// Default 203.0.113.0/24 and 192.0.2.128/25, 2001:db8:1::/48.
	LAN []netip.Prefix `json:"lan,omitempty"`
	// VIP: the service range: the default IPAddressPool, and what routers accept from
	// speakers. Default 198.18.0.0/24, 2001:db8:ff::/120.
	VIP []netip.Prefix `json:"vip,omitempty"`
	// IPv6 adds IPv6 addresses, sessions and VIPs beside IPv4.
	IPv6 bool `json:"ipv6,omitempty"`
}

// Node is one node of the lab: a name, inheritable settings, its group and fixed addresses.
type Node struct {
	Name  string `json:"name"`
	Group string `json:"group,omitempty"`
	// Loopback, when set, fixes the node's IPv4 (or IPv6) loopbacks instead of assigning them.
	Loopback []netip.Prefix `json:"loopback,omitempty"`
	Settings `json:",inline"`
}

// Link joins nodes. Two ends make a veth pair; three or more ends, Bridge, or an end on a
// bridge-role node make a Linux bridge (all links to one bridge node form one LAN).
type Link struct {
	// Name is optional; by default it is derived from the ends.
	Name      string     `json:"name,omitempty"`
	Endpoints []Endpoint `json:"endpoints"`
	// Bridge makes a two-ended link a bridge too.
	Bridge bool `json:"bridge,omitempty"`
	// Prefix, when set, fixes the link's subnet instead of assigning one (one per family).
	Prefix []netip.Prefix `json:"prefix,omitempty"`
}

// Endpoint is one end of a link: "node", "node:ifname", or an object with a fixed address.
type Endpoint struct {
	Node string `json:"node"`
	// Interface inside the node; default the next free ethN (eth1, eth2, ...).
	Interface string `json:"interface,omitempty"`
	// Address fixes this end's address(es) (with the link's prefix length).
	Address []netip.Prefix `json:"address,omitempty"`
}

// UnmarshalJSON accepts "node", "node:ifname" or {node, interface, address}.
func (e *Endpoint) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		node, ifname, _ := strings.Cut(s, ":")
		*e = Endpoint{Node: node, Interface: ifname}
		return nil
	}
	type plain Endpoint // no UnmarshalJSON: avoids recursion
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p plain
	if err := dec.Decode(&p); err != nil {
		return fmt.Errorf("link endpoint: %w (want \"node\", \"node:ifname\" or {node, interface, address})", err)
	}
	*e = Endpoint(p)
	return nil
}

// Parse decodes a topology file strictly: unknown fields and duplicate keys are errors.
// It does not validate; Resolve does.
func Parse(data []byte) (*Topology, error) {
	var t Topology
	if err := yaml.UnmarshalStrict(data, &t); err != nil {
		return nil, fmt.Errorf("topology: %w", err)
	}
	return &t, nil
}
