// Package clab renders a containerlab topology file from a small, explicit lab
// description. It is pure: it returns bytes and never touches the file system; the
// containerlab deployer (topologies/clab) writes them and runs containerlab.
//
// The input is this package's own Topology type rather than the topology model, so the
// renderer can be tested and validated against containerlab's published JSON schema on
// its own; the model is converted to a Topology by its caller.
package clab

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Topology is one containerlab topology.
type Topology struct {
	// Name is the lab name; containerlab names containers clab-<Name>-<node>.
	Name  string
	Nodes []TopoNode
	Links []Link
}

// TopoNode is one topology node.
type TopoNode struct {
	Name string
	// Kind is a containerlab kind ("linux", "arista_ceos", "vyosnetworks_vyos",
	// "k8s-kind", "ext-container"...), not a bgplb router kind; see RouterNode.
	Kind  string
	Image string
	// StartupConfig is a path relative to the topology file (or absolute). For a
	// k8s-kind node it is the kind cluster config.
	StartupConfig string
	// Binds are "host-path:container-path[:ro]" mounts; relative host paths are resolved
	// by containerlab against the topology file's directory.
	Binds  []string
	Group  string
	Labels map[string]string
	// Exec runs inside the container after deploy, in order.
	Exec []string
	// MgmtIPv4 pins the management address; empty lets containerlab choose (the usual case).
	MgmtIPv4 string
}

// Endpoint is one end of a link.
type Endpoint struct {
	Node      string
	Interface string
}

// Link is a point-to-point link (a veth pair) between two nodes.
type Link struct {
	A, B Endpoint
}

// String renders the endpoint as containerlab writes it: "node:interface".
func (e Endpoint) String() string { return e.Node + ":" + e.Interface }

// Linux interface names are at most 15 bytes and cannot hold ':' (containerlab splits on
// it), '/' or white space.
var ifaceName = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,15}$`)

// Validate returns every problem with l at once, each naming the node or link, the field
// and how to fix it. Render calls it; callers may call it earlier to report findings.
func (l Topology) Validate() error {
	var errs []string
	add := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }

	if l.Name == "" {
		add("lab: name is empty: set a lab name (containers are named clab-<name>-<node>)")
	}
	nodes := map[string]TopoNode{}
	for i, n := range l.Nodes {
		switch {
		case n.Name == "":
			add("nodes[%d]: name is empty: give every node a name", i)
			continue
		case strings.ContainsAny(n.Name, ": /"):
			add("node %s: name contains ':', '/' or a space: use letters, digits and '-'", n.Name)
		}
		if _, dup := nodes[n.Name]; dup {
			add("node %s: defined twice: node names must be unique", n.Name)
		}
		nodes[n.Name] = n
		if n.Kind == "" {
			add("node %s: kind is empty: set a containerlab kind (e.g. linux)", n.Name)
		}
		if n.Image == "" && needsImage(n.Kind) {
			add("node %s: image is empty: kind %s needs a container image", n.Name, n.Kind)
		}
	}

	used := map[string]int{}
	for i, lk := range l.Links {
		for _, e := range []Endpoint{lk.A, lk.B} {
			if _, ok := nodes[e.Node]; !ok {
				add("links[%d]: endpoint %s names an unknown node %q: add the node or fix the link (nodes: %s)",
					i, e, e.Node, strings.Join(sortedNames(nodes), ", "))
			}
			if !ifaceName.MatchString(e.Interface) {
				add("links[%d]: endpoint %s: interface %q is not a Linux interface name (1-15 of letters, digits, '_', '.', '-')",
					i, e, e.Interface)
			}
			if prev, dup := used[e.String()]; dup {
				add("links[%d]: endpoint %s is already used by links[%d]: give each link its own interface", i, e, prev)
			} else {
				used[e.String()] = i
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("containerlab topology %q: %d problem(s):\n  %s", l.Name, len(errs), strings.Join(errs, "\n  "))
}

// needsImage reports whether containerlab must start a container from an image for
// kind: kind clusters pick their own node image and ext-container nodes already exist.
func needsImage(kind string) bool {
	switch kind {
	case KindK8sKind, KindExtContainer, "bridge", "ovs-bridge", "host":
		return false
	}
	return true
}

func sortedNames(m map[string]TopoNode) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
