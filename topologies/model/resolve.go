package model

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"net/netip"
	"regexp"
	"slices"
	"strings"
)

// Kubernetes label keys the model sets on k8s nodes.
const (
	LabelHostname = "kubernetes.io/hostname"
	LabelZone     = "topology.kubernetes.io/zone"
)

var nameRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)

// maxNodeName keeps "<lab>-<node>" style namespace and container names short.
const maxNodeName = 30

// Resolve applies precedence, assigns addresses, names interfaces, expands BGP sessions and
// checks the result against what the backend can run. It returns every finding at once.
func Resolve(t *Topology, caps Capabilities) (*Lab, error) {
	r := &resolver{t: t, caps: caps, settings: map[string]Settings{}, index: map[string]int{}}
	r.lab = &Lab{Name: t.Name, Description: t.Description, Tag: Tag(t.Name),
		IPv6: t.Pools.IPv6, ManifestFiles: t.Manifests, BFDProfiles: t.BFDProfiles}
	r.checkTop()
	r.resolvePools()
	r.resolveNodes()
	r.buildLinks()
	r.assignAddresses()
	r.checkAddresses()
	r.expandSessions()
	r.addRoutes()
	if err := r.f.err(); err != nil {
		return nil, err
	}
	return r.lab, nil
}

// Validate is Resolve without the result.
func Validate(t *Topology, caps Capabilities) error {
	_, err := Resolve(t, caps)
	return err
}

// Tag is the short hash of a lab name that host-side device names carry.
func Tag(lab string) string {
	sum := sha256.Sum256([]byte(lab))
	return hex.EncodeToString(sum[:3])
}

type resolver struct {
	t        *Topology
	caps     Capabilities
	f        findings
	lab      *Lab
	settings map[string]Settings // effective settings per node
	index    map[string]int      // node name -> index in lab.Nodes
	pools    map[string][2][]netip.Prefix
	segs     []*segment
}

func (r *resolver) checkTop() {
	t := r.t
	if !nameRE.MatchString(t.Name) || len(t.Name) > maxNodeName {
		r.f.add("topology", "name", fmt.Sprintf("name %q is not a short DNS label", t.Name), "use up to 30 lowercase letters, digits and '-'")
	}
	if len(t.Nodes) == 0 {
		r.f.add("topology", "nodes", "no nodes", "add at least one router and one k8s-node")
	}
	for _, k := range slices.Sorted(maps.Keys(t.Kinds)) {
		if !slices.Contains(ValidKinds(r.caps), k) {
			r.f.add("kinds", k, fmt.Sprintf("unknown kind %q", k), "use one of: "+strings.Join(ValidKinds(r.caps), ", "))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(t.BFDProfiles)) {
		p := t.BFDProfiles[name]
		obj := "bfdProfiles " + name
		if p.ReceiveInterval != 0 && (p.ReceiveInterval < 10 || p.ReceiveInterval > 60000) {
			r.f.add(obj, "receiveInterval", fmt.Sprintf("%d ms is out of range", p.ReceiveInterval), "use 10..60000 ms")
		}
		if p.TransmitInterval != 0 && (p.TransmitInterval < 10 || p.TransmitInterval > 60000) {
			r.f.add(obj, "transmitInterval", fmt.Sprintf("%d ms is out of range", p.TransmitInterval), "use 10..60000 ms")
		}
		if p.DetectMultiplier > 0 && p.DetectMultiplier < 2 {
			r.f.add(obj, "detectMultiplier", "1 flaps on a single lost packet", "use 2..255 (3 is usual)")
		}
	}
	if len(t.Manifests) > 0 && slices.Contains(t.Manifests, "") {
		r.f.add("topology", "manifests", "empty path", "remove the empty entry")
	}
}

// resolvePools fills each pool's families from the defaults and checks they are
// documentation ranges that do not overlap each other.
func (r *resolver) resolvePools() {
	p := r.t.Pools
	given := map[string][]netip.Prefix{"loopback": p.Loopback, "p2p": p.P2P, "lan": p.LAN, "vip": p.VIP}
	r.pools = map[string][2][]netip.Prefix{}
	type owned struct {
		pool string
		p    netip.Prefix
	}
	var all []owned
	for _, name := range []string{"loopback", "p2p", "lan", "vip"} {
		var fam [2][]netip.Prefix
		for _, q := range given[name] {
			if !inDocRanges(q) {
				r.f.add("pools", name, fmt.Sprintf("%s is outside the documentation ranges", q), "use 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 198.18.0.0/15 or 2001:db8::/32")
				continue
			}
			if q.Addr().Is6() && !p.IPv6 {
				r.f.add("pools", name, fmt.Sprintf("IPv6 prefix %s but pools.ipv6 is false", q), "set pools.ipv6: true or remove it")
				continue
			}
			i := 0
			if q.Addr().Is6() {
				i = 1
			}
			fam[i] = append(fam[i], q.Masked())
		}
		for i := range 2 {
			if len(fam[i]) == 0 && (i == 0 || p.IPv6) {
				fam[i] = defaultPools[name][i]
			}
			for _, q := range fam[i] {
				for _, o := range all {
					if o.p.Overlaps(q) {
						r.f.add("pools", name, fmt.Sprintf("%s overlaps %s of pool %s", q, o.p, o.pool), "give each pool its own range")
					}
				}
				all = append(all, owned{name, q})
			}
		}
		r.pools[name] = fam
	}
	r.lab.VIPs = append(slices.Clone(r.pools["vip"][0]), r.pools["vip"][1]...)
	if p.IPv6 && !r.caps.IPv6 {
		r.f.add("pools", "ipv6", "the "+r.caps.Backend+" backend has no IPv6", "set pools.ipv6: false or use another backend")
	}
}

// families returns the address families in use: 4, and 6 when the lab has IPv6.
func (r *resolver) families() []int {
	if r.t.Pools.IPv6 {
		return []int{4, 6}
	}
	return []int{4}
}

func famIndex(a netip.Addr) int {
	if a.Is4() {
		return 0
	}
	return 1
}
