package model

import (
	"strings"
	"testing"
)

// base is a small valid topology the validation cases break one way at a time.
const base = `
name: t
pools: {vip: [198.18.0.0/24]}
bfdProfiles: {p: {receiveInterval: 300, transmitInterval: 300, detectMultiplier: 3}}
nodes:
  - {name: r1, kind: frr, speakers: {bfd: p, holdTime: 9s}, routers: {password: s1}}
  - {name: r2, kind: frr, asn: 64514, routers: {password: s1}}
  - {name: n1, role: k8s-node}
  - {name: c1, role: client}
links:
  - {name: lan, endpoints: [r1, r2, n1, c1]}
  - {endpoints: [r1, r2]}
`

type vcase struct {
	name      string
	old       string // text of base to replace
	good, bad string // replacements: good must resolve, bad must produce the finding
	caps      Capabilities
	object    string // wanted finding: object, field, and a problem substring
	field     string
	problem   string
}

var vcases = []vcase{
	{name: "unknown kind lists valid ones", old: "{name: r1, kind: frr,", bad: "{name: r1, kind: juniper,",
		object: "node r1", field: "kind", problem: `unknown kind "juniper"`},
	{name: "duplicate node name", old: "{name: c1, role: client}", bad: "{name: c1, role: client}\n  - {name: c1, role: client}",
		object: "node c1", field: "name", problem: "duplicate node name"},
	{name: "link to a missing node", old: "endpoints: [r1, r2]}", bad: "endpoints: [r1, r9]}",
		object: "links[1]", field: "endpoints[1]", problem: `unknown node "r9"`},
	{name: "interface name too long", old: "endpoints: [r1, r2]}", good: `endpoints: ["r1:to-r2", r2]}`, bad: `endpoints: ["r1:to-r2-over-the-long-way", r2]}`,
		object: "links[1] endpoints[0]", field: "interface", problem: "23 characters long"},
	{name: "address outside documentation ranges", old: "endpoints: [r1, r2]}", good: "endpoints: [{node: r1, address: [198.51.100.200/31]}, r2]}", bad: "endpoints: [{node: r1, address: [10.0.0.0/31]}, r2]}",
		object: "node r1 eth2", field: "address", problem: "10.0.0.0/31 is outside the documentation ranges"},
	{name: "duplicate address", old: "{name: lan, endpoints: [r1, r2, n1, c1]}",
		good:   "{name: lan, prefix: [203.0.113.0/24], endpoints: [{node: r1, address: [203.0.113.10/24]}, {node: r2, address: [203.0.113.11/24]}, n1, c1]}",
		bad:    "{name: lan, prefix: [203.0.113.0/24], endpoints: [{node: r1, address: [203.0.113.10/24]}, {node: r2, address: [203.0.113.10/24]}, n1, c1]}",
		object: "node r2 eth1", field: "address", problem: "203.0.113.10 is also used by node r1 eth1"},
	{name: "pool outside documentation ranges", old: "vip: [198.18.0.0/24]", good: "vip: [198.19.0.0/16]", bad: "vip: [10.0.0.0/24]",
		object: "pools", field: "vip", problem: "outside the documentation ranges"},
	{name: "pools overlap", old: "vip: [198.18.0.0/24]", bad: "vip: [198.51.100.0/25]",
		object: "pools", field: "vip", problem: "overlaps 198.51.100.0/24 of pool p2p"},
	{name: "kind the backend cannot run", old: "{name: r2, kind: frr,", bad: "{name: r2, kind: ceos,",
		caps:   Capabilities{Backend: "netns", Known: testKinds, Kinds: []string{"bird", "frr", "gobgp", "vyos"}, IPv6: true, BFD: true, Bridges: true, MD5: true, GTSM: true},
		object: "node r2", field: "kind", problem: `kind "ceos" cannot run on the netns backend`},
	{name: "BFD the backend lacks", old: "speakers: {bfd: p, holdTime: 9s}", good: "speakers: {holdTime: 9s}",
		caps:   Capabilities{Backend: "mini", Known: testKinds, Kinds: testKinds, Bridges: true, MD5: true},
		object: "session r1-n1", field: "bfd", problem: "the mini backend does not support it"},
	{name: "MD5 the backend lacks", old: "routers: {password: s1}}\n  - {name: r2, kind: frr, asn: 64514, routers: {password: s1}}", good: "}\n  - {name: r2, kind: frr, asn: 64514}",
		caps:   Capabilities{Backend: "mini", Known: testKinds, Kinds: testKinds, Bridges: true, BFD: true},
		object: "session r1-r2", field: "password", problem: "does not support it"},
	{name: "IPv6 the backend lacks", old: "pools: {", bad: "pools: {ipv6: true, ", caps: Capabilities{Backend: "mini", Known: testKinds, Kinds: testKinds, Bridges: true, BFD: true, MD5: true},
		object: "pools", field: "ipv6", problem: "has no IPv6"},
	{name: "unknown BFD profile", old: "{bfd: p,", bad: "{bfd: q,",
		object: "node r1 speakers", field: "bfd", problem: `unknown BFD profile "q"`},
	{name: "unknown group", old: "{name: n1, role: k8s-node}", good: "{name: n1, role: k8s-node}", bad: "{name: n1, role: k8s-node, group: g}",
		object: "node n1", field: "group", problem: `unknown group "g"`},
	{name: "unknown site", old: "{name: c1, role: client}", bad: "{name: c1, role: client, site: dc9}",
		object: "node c1", field: "site", problem: `unknown site "dc9"`},
	{name: "peer that is not a router", old: "{name: n1, role: k8s-node}", good: "{name: n1, role: k8s-node, peers: [r2]}", bad: "{name: n1, role: k8s-node, peers: [c1]}",
		object: "node n1", field: "peers[0]", problem: `"c1" is not a router`},
	{name: "routers disagree on a password", old: "asn: 64514, routers: {password: s1}", bad: "asn: 64514, routers: {password: s2}",
		object: "router session r1-r2", field: "routers.password", problem: "disagree"},
	{name: "hold time below 3s", old: "holdTime: 9s", bad: "holdTime: 1s",
		object: "node r1 speakers", field: "holdTime", problem: "below 3s"},
	{name: "client with no router", old: "{name: lan, endpoints: [r1, r2, n1, c1]}", bad: "{name: lan, endpoints: [r1, r2, n1]}\n  - {endpoints: [c1, n1]}",
		object: "node c1", field: "links", problem: "no router on any of its links"},
	{name: "maximum-paths out of range", old: "{name: r1, kind: frr,", good: "{name: r1, kind: frr, maximumPaths: 4,", bad: "{name: r1, kind: frr, maximumPaths: 0,",
		object: "node r1", field: "maximumPaths", problem: "out of range"},
	{name: "malformed community", old: "{name: r1, kind: frr,", good: `{name: r1, kind: frr, policy: {communities: [{community: "64512:100", localPref: 200}]},`, bad: `{name: r1, kind: frr, policy: {communities: [{community: "64512-100", localPref: 200}]},`,
		object: "node r1", field: "policy.communities[0].community", problem: "not a standard community"},
	{name: "router option on a client", old: "{name: c1, role: client}", bad: "{name: c1, role: client, maximumPaths: 2}",
		object: "node c1", field: "maximumPaths", problem: "only routers use it"},
	{name: "bridge chained to a bridge", old: "{name: c1, role: client}", good: "{name: c1, role: client}\n  - {name: b1, role: bridge}\n  - {name: b2, role: bridge}\n  - {name: c2, role: client}",
		bad:    "{name: c1, role: client}\n  - {name: b1, role: bridge}\n  - {name: b2, role: bridge}\n  - {name: c2, role: client}\n  - {name: x, role: client}",
		object: "node x", field: "links", problem: "no router"},
}

func parseOrFail(t *testing.T, y string) *Topology {
	t.Helper()
	top, err := Parse([]byte(y))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, y)
	}
	return top
}

func TestValidateEachFindingBothWays(t *testing.T) {
	if err := Validate(parseOrFail(t, base), AllCapabilities(testKinds)); err != nil {
		t.Fatalf("base topology must be valid: %v", err)
	}
	for _, c := range vcases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(base, c.old) {
				t.Fatalf("case text %q not in base", c.old)
			}
			caps := c.caps
			if caps.Backend == "" {
				caps = AllCapabilities(testKinds)
			}
			good := c.good
			if good == "" {
				good = c.old
			}
			goodY := strings.Replace(base, c.old, good, 1)
			if strings.Contains(c.name, "chained") { // the good form needs links for its bridges
				goodY += "  - {endpoints: [b1, c2]}\n  - {endpoints: [b2, r1]}\n  - {endpoints: [b1, r2]}\n"
			}
			if err := Validate(parseOrFail(t, goodY), caps); err != nil {
				t.Fatalf("good form must be valid, got: %v", err)
			}
			bad := c.bad
			if bad == "" { // a capability case: the base itself needs what the backend lacks
				bad = c.old
			}
			badY := strings.Replace(base, c.old, bad, 1)
			if strings.Contains(c.name, "chained") {
				badY += "  - {endpoints: [b1, c2]}\n  - {endpoints: [b2, r1]}\n  - {endpoints: [b1, r2]}\n  - {endpoints: [b1, b2, x]}\n"
			}
			err := Validate(parseOrFail(t, badY), caps)
			if err == nil {
				t.Fatal("bad form must be rejected")
			}
			for _, f := range Findings(err) {
				if f.Object == c.object && f.Field == c.field && strings.Contains(f.Problem, c.problem) {
					if f.Fix == "" {
						t.Errorf("finding has no fix: %v", f)
					}
					return
				}
			}
			t.Errorf("want finding %s: %s: ...%s..., got:\n%v", c.object, c.field, c.problem, err)
		})
	}
}

func TestUnknownKindListsValidKinds(t *testing.T) {
	err := Validate(parseOrFail(t, strings.Replace(base, "kind: frr,", "kind: juniper,", 1)), AllCapabilities(testKinds))
	if err == nil || !strings.Contains(err.Error(), "bird, bridge, ceos, client, frr, gobgp, iosxe, k8s-node, openbgpd, vyos") {
		t.Errorf("want the valid kinds listed, got %v", err)
	}
}

func TestValidateReportsEveryFindingAtOnce(t *testing.T) {
	y := base
	for _, c := range vcases {
		if c.caps.Backend != "" || strings.Contains(c.name, "chained") || strings.Contains(c.name, "duplicate address") ||
			strings.Contains(c.name, "pools overlap") || !strings.Contains(y, c.old) {
			continue
		}
		y = strings.Replace(y, c.old, c.bad, 1)
	}
	err := Validate(parseOrFail(t, y), AllCapabilities(testKinds))
	fs := Findings(err)
	want := []string{`unknown kind "juniper"`, "duplicate node name", `unknown node "r9"`, "outside the documentation ranges", `unknown site "dc9"`}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("missing finding %q", w)
		}
	}
	if len(fs) < len(want) {
		t.Errorf("got %d findings, want at least %d:\n%v", len(fs), len(want), err)
	}
}
