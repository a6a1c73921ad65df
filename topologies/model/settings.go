package model

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Built-in fallbacks when no level sets a value.
const (
	DefaultRouterASN  uint32 = 64512
	DefaultSpeakerASN uint32 = 64513
	DefaultRouterKind        = "frr"
)

// ValidKinds lists every kind a node may have: the router kinds the registry knows
// (Capabilities.Known) and the other roles' names.
func ValidKinds(caps Capabilities) []string {
	out := slices.Clone(caps.Known)
	out = append(out, string(RoleBridge), string(RoleClient), string(RoleK8sNode))
	slices.Sort(out)
	return out
}

func (c Capabilities) isRouterKind(k string) bool { return slices.Contains(c.Known, k) }

// over returns base with every field that top sets replacing base's: top is the more
// specific level. Labels merge per key; session blocks merge per field.
func over(base, top Settings) Settings {
	out := base
	if top.Role != "" {
		out.Role = top.Role
	}
	if top.Kind != "" {
		out.Kind = top.Kind
	}
	if top.Site != "" {
		out.Site = top.Site
	}
	if top.ASN != 0 {
		out.ASN = top.ASN
	}
	if len(top.Labels) > 0 {
		out.Labels = maps.Clone(base.Labels)
		if out.Labels == nil {
			out.Labels = map[string]string{}
		}
		maps.Copy(out.Labels, top.Labels)
	}
	if top.Peers != nil {
		out.Peers = top.Peers
	}
	if top.MaximumPaths != nil {
		out.MaximumPaths = top.MaximumPaths
	}
	if top.Policy != nil {
		out.Policy = top.Policy
	}
	out.Speakers = overSession(base.Speakers, top.Speakers)
	out.Routers = overSession(base.Routers, top.Routers)
	return out
}

func overSession(base, top *SessionSettings) *SessionSettings {
	if top == nil {
		return base
	}
	if base == nil {
		return top
	}
	out := *base
	if top.Password != nil {
		out.Password = top.Password
	}
	if top.HoldTime != nil {
		out.HoldTime = top.HoldTime
	}
	if top.KeepaliveTime != nil {
		out.KeepaliveTime = top.KeepaliveTime
	}
	if top.BFD != nil {
		out.BFD = top.BFD
	}
	if top.MaximumPrefix != nil {
		out.MaximumPrefix = top.MaximumPrefix
	}
	if top.TTLSecurity != nil {
		out.TTLSecurity = top.TTLSecurity
	}
	return &out
}

// effective computes a node's settings: node > group > kind > defaults, with the kind and
// role decided first because the kind level depends on them. It reports unknown groups,
// kinds and roles, and role/kind mismatches.
func (t *Topology) effective(n Node, caps Capabilities, f *findings) Settings {
	obj := "node " + n.Name
	var group Settings
	if n.Group != "" {
		g, ok := t.Groups[n.Group]
		if !ok {
			f.add(obj, "group", fmt.Sprintf("unknown group %q", n.Group), "define it under groups: ("+knownKeys(t.Groups)+")")
		}
		group = g
	}
	pre := over(over(t.Defaults, group), n.Settings)
	kind, role := pre.Kind, pre.Role
	if role == "" && kind == "" {
		f.add(obj, "role", "no role or kind", "set role: router|k8s-node|client|bridge or a kind ("+strings.Join(ValidKinds(caps), ", ")+")")
		return pre
	}
	if kind == "" {
		kind = string(role)
		if role == RoleRouter {
			kind = DefaultRouterKind
		}
	}
	if !slices.Contains(ValidKinds(caps), kind) {
		f.add(obj, "kind", fmt.Sprintf("unknown kind %q", kind), "use one of: "+strings.Join(ValidKinds(caps), ", "))
		return pre
	}
	if role == "" {
		role = Role(kind)
		if caps.isRouterKind(kind) {
			role = RoleRouter
		}
	}
	switch {
	case role == RoleRouter && !caps.isRouterKind(kind),
		role != RoleRouter && kind != string(role):
		f.add(obj, "kind", fmt.Sprintf("kind %q does not fit role %q", kind, role), "routers take a router kind ("+strings.Join(caps.Known, ", ")+"); other roles take their own name as kind or none")
	}
	s := over(over(over(t.Defaults, t.Kinds[kind]), group), n.Settings)
	s.Kind, s.Role = kind, role
	return s
}

func knownKeys[V any](m map[string]V) string {
	if len(m) == 0 {
		return "none defined"
	}
	return "defined: " + strings.Join(slices.Sorted(maps.Keys(m)), ", ")
}
