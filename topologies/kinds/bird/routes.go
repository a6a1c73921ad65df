package bird

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/bgplb/bgplb/topologies/kind"
)

// ParseRoutes parses `show route all`. A route starts with its prefix at column 0; more
// paths for the same prefix start with blanks and a "[proto ...]" tag; a path's next
// hops ("via X on IF") and attributes ("BGP.local_pref: 200") follow on tab-indented
// lines. The primary path is marked "*"; with ECMP, BIRD merges next hops into it.
func ParseRoutes(data []byte) ([]kind.Route, error) {
	ls := lines(data)
	if err := birdError(ls); err != nil {
		return nil, err
	}
	var out []kind.Route
	var route *kind.Route
	var path *kind.Path
	flushPath := func() {
		if route != nil && path != nil {
			route.Paths = append(route.Paths, *path)
		}
		path = nil
	}
	flushRoute := func() {
		flushPath()
		if route != nil {
			out = append(out, *route)
		}
		route = nil
	}
	for _, l := range ls {
		t := strings.TrimSpace(l)
		switch {
		case t == "" || strings.HasPrefix(t, "Table ") || t == "Network not found":
			continue
		case l[0] != ' ' && l[0] != '\t':
			f := strings.Fields(l)
			pfx, err := netip.ParsePrefix(f[0])
			if err != nil {
				return nil, fmt.Errorf("bird: show route all: %q: %w", l, err)
			}
			flushRoute()
			route = &kind.Route{Prefix: pfx}
			path = pathHeader(strings.Join(f[1:], " "))
		case l[0] == ' ' && strings.Contains(t, "["):
			flushPath()
			path = pathHeader(t)
		case path != nil:
			pathLine(path, t)
		}
	}
	flushRoute()
	kind.SortRoutes(out)
	return out, nil
}

// pathHeader reads "unicast [r1 08:56:40.500] * (100) [AS64512i]" (or "via ..." for
// a single next hop on the same line, as older versions print it).
func pathHeader(s string) *kind.Path {
	p := &kind.Path{}
	if i := strings.Index(s, "]"); i >= 0 {
		// "[r1 08:56:40.500 from 192.0.2.2]": BIRD names the peer when it is not the
		// next hop (iBGP, route servers).
		if tag := strings.Fields(s[:i]); len(tag) > 1 && tag[len(tag)-2] == "from" {
			p.Peer, _ = netip.ParseAddr(tag[len(tag)-1])
		}
		rest := strings.Fields(s[i+1:])
		p.Best = len(rest) > 0 && rest[0] == "*"
		if last := rest[len(rest)-1:]; len(last) == 1 && strings.HasPrefix(last[0], "[AS") {
			switch strings.TrimSuffix(last[0], "]")[len(last[0])-2] {
			case 'i':
				p.Origin = "igp"
			case 'e':
				p.Origin = "egp"
			case '?':
				p.Origin = "incomplete"
			}
		}
	}
	if f := strings.Fields(s); len(f) > 1 && f[0] == "via" {
		addNextHop(p, f[1])
	}
	return p
}

func addNextHop(p *kind.Path, s string) {
	if a, err := netip.ParseAddr(s); err == nil {
		p.NextHops = append(p.NextHops, a)
	}
}

// pathLine reads one tab-indented line of a path.
func pathLine(p *kind.Path, t string) {
	if f := strings.Fields(t); len(f) > 1 && f[0] == "via" {
		addNextHop(p, f[1])
		return
	}
	key, val, ok := strings.Cut(t, ":")
	if !ok {
		return
	}
	val = strings.TrimSpace(val)
	switch key {
	case "BGP.local_pref":
		if n, err := strconv.ParseUint(val, 10, 32); err == nil {
			lp := uint32(n)
			p.LocalPref = &lp
		}
	case "BGP.as_path":
		for _, f := range strings.Fields(val) {
			if n, err := strconv.ParseUint(f, 10, 32); err == nil {
				p.ASPath = append(p.ASPath, uint32(n))
			}
		}
	case "BGP.community":
		p.Communities = tuples(val)
	case "BGP.large_community":
		p.LargeCommunities = tuples(val)
	case "BGP.origin":
		p.Origin = strings.ToLower(val)
	}
}

// tuples turns "(64512,1100) (64512,2100)" or "(64512, 1, 2)" into "64512:1100" style.
func tuples(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ")") {
		part = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(part), "("))
		if part == "" {
			continue
		}
		var nums []string
		for _, n := range strings.Split(part, ",") {
			nums = append(nums, strings.TrimSpace(n))
		}
		out = append(out, strings.Join(nums, ":"))
	}
	return out
}
