package netns

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/bgplb/bgplb/topologies/model"
)

// The plan is pure: it turns a Lab into `ip -batch` scripts, so the exact commands are
// unit-tested and a whole lab's links take one exec instead of hundreds.

// hasNamespace says whether a node gets a namespace: bridge nodes are only a host bridge.
func hasNamespace(n model.LabNode) bool { return n.Role != model.RoleBridge }

// namespacesBatch creates every namespace.
func namespacesBatch(lab *model.Lab) string {
	var b strings.Builder
	for _, n := range lab.Nodes {
		if hasNamespace(n) {
			fmt.Fprintf(&b, "netns add %s\n", Namespace(lab.Name, n.Name))
		}
	}
	return b.String()
}

// linksBatch creates bridges and veth pairs on the host. A veth link's two ends are
// created straight inside their namespaces under their final names; a bridge link's
// ends are veths whose host side (HostName) joins the bridge.
func linksBatch(lab *model.Lab) string {
	var b strings.Builder
	for _, l := range lab.Links {
		switch l.Kind {
		case model.LinkBridge:
			// No STP and no address on the host side: the host only switches frames.
			fmt.Fprintf(&b, "link add name %s type bridge stp_state 0 forward_delay 0\n", l.Bridge)
			fmt.Fprintf(&b, "link set dev %s addrgenmode none up\n", l.Bridge)
			for _, e := range l.Ends {
				fmt.Fprintf(&b, "link add name %s type veth peer name %s netns %s\n", e.HostName, e.Interface, Namespace(lab.Name, e.Node))
				fmt.Fprintf(&b, "link set dev %s addrgenmode none master %s up\n", e.HostName, l.Bridge)
			}
		case model.LinkVeth:
			a, z := l.Ends[0], l.Ends[1]
			fmt.Fprintf(&b, "link add name %s netns %s type veth peer name %s netns %s\n",
				a.Interface, Namespace(lab.Name, a.Node), z.Interface, Namespace(lab.Name, z.Node))
		}
	}
	return b.String()
}

// sysctls are the kernel settings inside one namespace. Only routers forward. Reverse
// path filtering is off everywhere: with ECMP and asymmetric paths (a client's request
// in via one router, the reply out via another) strict rp_filter drops legitimate
// packets. L4 multipath hashing spreads flows from one client over the ECMP next hops.
func sysctls(n model.LabNode) []string {
	forward := "0"
	if n.Role == model.RoleRouter {
		forward = "1"
	}
	return []string{
		"net.ipv4.ip_forward=" + forward,
		"net.ipv6.conf.all.forwarding=" + forward,
		"net.ipv4.conf.all.rp_filter=0",
		"net.ipv4.conf.default.rp_filter=0",
		"net.ipv4.fib_multipath_hash_policy=1",
		"net.ipv6.fib_multipath_hash_policy=1",
	}
}

// nodeBatch addresses one namespace: lo up with the loopbacks, interfaces up with their
// addresses, then the static routes. It refuses a default route: a lab namespace must
// never have a route out of the lab.
func nodeBatch(n model.LabNode) (string, error) {
	var b strings.Builder
	b.WriteString("link set dev lo up\n")
	for _, p := range n.Loopbacks {
		fmt.Fprintf(&b, "addr add %s dev lo%s\n", p, nodad(p))
	}
	for _, ifc := range n.Interfaces {
		for _, p := range ifc.Addresses {
			fmt.Fprintf(&b, "addr add %s dev %s%s\n", p, ifc.Name, nodad(p))
		}
		fmt.Fprintf(&b, "link set dev %s up\n", ifc.Name)
	}
	for _, r := range n.Routes {
		if r.Prefix.Bits() == 0 {
			return "", fmt.Errorf("node %s: refusing default route %s: a lab namespace has no route out of the lab", n.Name, r.Prefix)
		}
		if len(r.Via) == 0 {
			return "", fmt.Errorf("node %s: route %s has no next hop", n.Name, r.Prefix)
		}
		fmt.Fprintf(&b, "route add %s%s\n", r.Prefix, nexthops(r.Via))
	}
	return b.String(), nil
}

// nodad skips IPv6 duplicate address detection: addresses are unique by construction
// and DAD would hold them "tentative" (unusable) for a second or more.
func nodad(p netip.Prefix) string {
	if p.Addr().Is6() {
		return " nodad"
	}
	return ""
}

func nexthops(via []netip.Addr) string {
	if len(via) == 1 {
		return " via " + via[0].String()
	}
	var b strings.Builder
	for _, v := range via {
		b.WriteString(" nexthop via " + v.String())
	}
	return b.String()
}

// addresses lists a node's addresses for Inspect.
func addresses(n model.LabNode) []string {
	var out []string
	for _, p := range n.Loopbacks {
		out = append(out, "lo "+p.String())
	}
	for _, ifc := range n.Interfaces {
		for _, p := range ifc.Addresses {
			out = append(out, ifc.Name+" "+p.String())
		}
	}
	return out
}
