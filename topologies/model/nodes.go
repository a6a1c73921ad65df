package model

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// resolveNodes computes every node's effective settings and its role-specific fields.
func (r *resolver) resolveNodes() {
	t := r.t
	for i, n := range t.Nodes {
		obj := "node " + n.Name
		switch {
		case n.Name == "":
			r.f.add(fmt.Sprintf("nodes[%d]", i), "name", "empty name", "give every node a name")
			continue
		case !nameRE.MatchString(n.Name) || len(n.Name) > maxNodeName:
			r.f.add(obj, "name", "not a short DNS label", "use up to 30 lowercase letters, digits and '-'")
		}
		if _, dup := r.index[n.Name]; dup {
			r.f.add(obj, "name", "duplicate node name", "rename one of the nodes")
			continue
		}
		s := t.effective(n, r.caps, &r.f)
		r.settings[n.Name] = s
		ln := LabNode{Name: n.Name, Role: s.Role, Kind: s.Kind, Site: s.Site, Group: n.Group, Loopbacks: slices.Clone(n.Loopback)}
		if s.Site != "" {
			if _, ok := t.Sites[s.Site]; !ok {
				r.f.add(obj, "site", fmt.Sprintf("unknown site %q", s.Site), "define it under sites: ("+knownKeys(t.Sites)+")")
			}
		}
		r.checkRoleFields(n, s)
		switch s.Role {
		case RoleRouter:
			ln.ASN = r.asn(n, s, DefaultRouterASN)
			ln.MaximumPaths = 1
			if s.MaximumPaths != nil {
				ln.MaximumPaths = *s.MaximumPaths
				if ln.MaximumPaths < 1 || ln.MaximumPaths > 64 {
					r.f.add(obj, "maximumPaths", fmt.Sprintf("%d is out of range", ln.MaximumPaths), "use 1..64")
				}
			}
			ln.Policy = s.Policy
			r.checkPolicy(obj, s.Policy)
			if r.caps.isRouterKind(s.Kind) && !slices.Contains(r.caps.Kinds, s.Kind) {
				r.f.add(obj, "kind", fmt.Sprintf("kind %q cannot run on the %s backend (it runs: %s)", s.Kind, r.caps.Backend, strings.Join(r.caps.Kinds, ", ")),
					"use a backend that runs it (kind "+s.Kind+" needs containerlab: --backend clab) or change the kind")
			}
		case RoleK8sNode:
			ln.ASN = r.asn(n, s, DefaultSpeakerASN)
			ln.Labels = maps.Clone(s.Labels)
			if ln.Labels == nil {
				ln.Labels = map[string]string{}
			}
			ln.Labels[LabelHostname] = n.Name
			if _, set := ln.Labels[LabelZone]; !set && s.Site != "" {
				ln.Labels[LabelZone] = s.Site
			}
		}
		r.index[n.Name] = len(r.lab.Nodes)
		r.lab.Nodes = append(r.lab.Nodes, ln)
	}
}

// asn follows node > group > kind > site > defaults > built-in; the site level sits below
// kind so a kind-wide ASN still wins over a site's.
func (r *resolver) asn(n Node, s Settings, builtin uint32) uint32 {
	t := r.t
	for _, a := range []uint32{n.ASN, t.Groups[n.Group].ASN, t.Kinds[s.Kind].ASN, t.Sites[s.Site].ASN, t.Defaults.ASN} {
		if a != 0 {
			return a
		}
	}
	return builtin
}

// checkRoleFields rejects fields a node sets itself that its role ignores; inherited ones
// are fine (defaults apply to every role).
func (r *resolver) checkRoleFields(n Node, s Settings) {
	obj := "node " + n.Name
	if s.Role != RoleRouter {
		for _, c := range []struct {
			field string
			set   bool
		}{
			{"maximumPaths", n.MaximumPaths != nil}, {"policy", n.Policy != nil},
			{"speakers", n.Speakers != nil}, {"routers", n.Routers != nil},
		} {
			if c.set {
				r.f.add(obj, c.field, "only routers use it", "move it to the routers this node peers with")
			}
		}
	}
	if s.Role != RoleK8sNode && n.Peers != nil {
		r.f.add(obj, "peers", "only k8s nodes choose their peers", "list this node under the k8s node's peers instead, or use routerSessions for routers")
	}
	if s.Role != RoleK8sNode && len(n.Labels) > 0 {
		r.f.add(obj, "labels", "only k8s nodes have Kubernetes labels", "remove labels from this node")
	}
}

func (r *resolver) checkPolicy(obj string, p *Policy) {
	if p == nil {
		return
	}
	for i, c := range p.Communities {
		a, b, ok := strings.Cut(c.Community, ":")
		var x, y uint32
		if ok {
			_, err1 := fmt.Sscanf(a, "%d", &x)
			_, err2 := fmt.Sscanf(b, "%d", &y)
			ok = err1 == nil && err2 == nil && x <= 65535 && y <= 65535 && !strings.ContainsAny(a+b, "+- ")
		}
		if !ok {
			r.f.add(obj, fmt.Sprintf("policy.communities[%d].community", i), fmt.Sprintf("%q is not a standard community", c.Community), "write it as A:B with A and B in 0..65535")
		}
		if c.LocalPref == 0 {
			r.f.add(obj, fmt.Sprintf("policy.communities[%d].localPref", i), "missing or 0", "set localPref to a positive number (100 is the default preference)")
		}
	}
}
