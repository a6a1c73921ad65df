package model

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
)

// MaxIfName is Linux's interface name limit (IFNAMSIZ - 1).
const MaxIfName = 15

var ifNameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

// segment is one L2 domain being built: a veth pair or a bridge.
type segment struct {
	name       string
	obj        string // how findings name it
	kind       LinkKind
	bridgeNode string // the bridge-role node it came from, if any
	fixed      []netip.Prefix
	ends       []segEnd
	prefixes   [2]netip.Prefix // assigned subnet per family
}

type segEnd struct {
	node   string
	ifname string
	addrs  []netip.Prefix // fixed by the user
	field  string         // how findings name it
	out    [2]netip.Prefix
}

// buildLinks turns links into segments: two ends a veth pair, three or more (or bridge:
// true) a bridge, and every link to a bridge-role node one shared bridge.
func (r *resolver) buildLinks() {
	bridges := map[string]*segment{}
	for i, l := range r.t.Links {
		obj := fmt.Sprintf("links[%d]", i)
		if l.Name != "" {
			obj = "link " + l.Name
		}
		var ends []segEnd
		var bridgeNodes []string
		for j, e := range l.Endpoints {
			field := fmt.Sprintf("endpoints[%d]", j)
			idx, ok := r.index[e.Node]
			switch {
			case !ok:
				r.f.add(obj, field, fmt.Sprintf("unknown node %q", e.Node), "define the node under nodes: or fix the name")
			case r.lab.Nodes[idx].Role == RoleBridge:
				bridgeNodes = append(bridgeNodes, e.Node)
			default:
				ends = append(ends, segEnd{node: e.Node, ifname: e.Interface, addrs: e.Address, field: obj + " " + field})
			}
		}
		if len(l.Endpoints) < 2 {
			r.f.add(obj, "endpoints", fmt.Sprintf("%d endpoint(s)", len(l.Endpoints)), "a link joins at least two nodes")
			continue
		}
		switch {
		case len(bridgeNodes) > 1:
			r.f.add(obj, "endpoints", "joins bridges "+strings.Join(bridgeNodes, " and "), "join each node to one bridge; bridges cannot be chained")
		case len(bridgeNodes) == 1:
			b := bridgeNodes[0]
			s := bridges[b]
			if s == nil {
				s = &segment{name: b, obj: "bridge " + b, kind: LinkBridge, bridgeNode: b}
				bridges[b] = s
				r.segs = append(r.segs, s)
			}
			if len(l.Prefix) > 0 {
				if len(s.fixed) > 0 && !slices.Equal(s.fixed, l.Prefix) {
					r.f.add(obj, "prefix", fmt.Sprintf("bridge %s already has prefix %v", b, s.fixed), "set the prefix on one link to the bridge only")
				}
				s.fixed = l.Prefix
			}
			s.ends = append(s.ends, ends...)
		default:
			kind := LinkVeth
			if len(l.Endpoints) > 2 || l.Bridge {
				kind = LinkBridge
			}
			r.segs = append(r.segs, &segment{name: l.Name, obj: obj, kind: kind, fixed: l.Prefix, ends: ends})
		}
	}
	for _, n := range r.lab.Nodes {
		if n.Role == RoleBridge && bridges[n.Name] == nil {
			r.f.add("node "+n.Name, "links", "bridge with no links", "link nodes to it or remove it")
		}
	}
	r.nameSegments()
	r.nameInterfaces()
}

// nameSegments gives unnamed segments a name from their ends ("r1-r2") or position
// ("lan3"), and reports duplicate names and nodes on one segment twice.
func (r *resolver) nameSegments() {
	seen := map[string]bool{}
	for i, s := range r.segs {
		if s.name == "" {
			if s.kind == LinkVeth && len(s.ends) == 2 {
				s.name = s.ends[0].node + "-" + s.ends[1].node
				for n := 2; seen[s.name]; n++ {
					s.name = fmt.Sprintf("%s-%s-%d", s.ends[0].node, s.ends[1].node, n)
				}
			} else {
				s.name = fmt.Sprintf("lan%d", i)
			}
		}
		if seen[s.name] {
			r.f.add(s.obj, "name", fmt.Sprintf("duplicate link name %q", s.name), "give each link a unique name")
		}
		seen[s.name] = true
		onSeg := map[string]bool{}
		for _, e := range s.ends {
			if onSeg[e.node] {
				r.f.add(s.obj, "endpoints", fmt.Sprintf("node %s is on it twice", e.node), "connect a node to a link once")
			}
			onSeg[e.node] = true
		}
		if s.kind == LinkBridge && !r.caps.Bridges {
			r.f.add(s.obj, "endpoints", "needs a bridge, which the "+r.caps.Backend+" backend cannot build", "use two-ended links or another backend")
		}
	}
}

// nameInterfaces names every end: user names first (checked), then eth1, eth2, ... in
// link order skipping taken names; host-side names carry the lab tag and the segment and
// end numbers, so they are unique per lab and distinct between labs.
func (r *resolver) nameInterfaces() {
	used := map[string]map[string]bool{}
	for _, s := range r.segs {
		for _, e := range s.ends {
			if used[e.node] == nil {
				used[e.node] = map[string]bool{"lo": true}
			}
			if e.ifname == "" {
				continue
			}
			switch {
			case len(e.ifname) > MaxIfName:
				r.f.add(e.field, "interface", fmt.Sprintf("%q is %d characters long", e.ifname, len(e.ifname)), fmt.Sprintf("use at most %d characters", MaxIfName))
			case !ifNameRE.MatchString(e.ifname):
				r.f.add(e.field, "interface", fmt.Sprintf("%q has characters Linux does not allow", e.ifname), "use letters, digits, '_', '.', '-'")
			case used[e.node][e.ifname]:
				r.f.add(e.field, "interface", fmt.Sprintf("node %s already has interface %q", e.node, e.ifname), "use another name or leave it out to get ethN")
			}
			used[e.node][e.ifname] = true
		}
	}
	next := map[string]int{}
	for si, s := range r.segs {
		for ei := range s.ends {
			e := &s.ends[ei]
			if e.ifname == "" {
				n := next[e.node] + 1
				for used[e.node][fmt.Sprintf("eth%d", n)] {
					n++
				}
				next[e.node] = n
				e.ifname = fmt.Sprintf("eth%d", n)
				used[e.node][e.ifname] = true
			}
		}
		bridge := ""
		if s.kind == LinkBridge {
			bridge = fmt.Sprintf("b%s-%d", r.lab.Tag, si)
		}
		r.lab.Links = append(r.lab.Links, LabLink{Name: s.name, Kind: s.kind, Bridge: bridge})
	}
}

// hostName is the outside end of segment si's end ei.
func (r *resolver) hostName(si, ei int) string {
	return fmt.Sprintf("v%s-%d-%d", r.lab.Tag, si, ei)
}

// fillLinks copies the addressed segments into the Lab's links and nodes' interfaces.
func (r *resolver) fillLinks() {
	for si, s := range r.segs {
		l := &r.lab.Links[si]
		for _, p := range s.prefixes {
			if p.IsValid() {
				l.Prefixes = append(l.Prefixes, p)
			}
		}
		for ei, e := range s.ends {
			var addrs []netip.Prefix
			for _, a := range e.out {
				if a.IsValid() {
					addrs = append(addrs, a)
				}
			}
			host := r.hostName(si, ei)
			for _, name := range []string{host, l.Bridge} {
				if len(name) > MaxIfName {
					r.f.add(s.obj, "endpoints", fmt.Sprintf("host-side name %q is longer than %d characters", name, MaxIfName), "split the link into smaller ones")
				}
			}
			l.Ends = append(l.Ends, LinkEnd{Node: e.node, Interface: e.ifname, HostName: host, Addresses: addrs})
			n := &r.lab.Nodes[r.index[e.node]]
			n.Interfaces = append(n.Interfaces, Interface{Name: e.ifname, Link: s.name, HostName: host, Addresses: addrs})
		}
	}
}
