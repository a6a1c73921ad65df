package clab

import (
	"fmt"
	"net/netip"
	"path"
	"strings"

	"github.com/bgplb/bgplb/topologies/kind"
	"github.com/bgplb/bgplb/topologies/model"
)

// plan is a lab converted for containerlab and kind: the deployer's input, where each
// node runs, and the host bridges to create first.
type plan struct {
	Deploy     Deployment
	Containers map[string]string
	Bridges    []string
}

// kindConfig is the kind cluster config's path among the deployer's files.
func kindConfig(cluster string) string { return cluster + ".kind.yaml" }

// planLab converts lab: routers rendered by their native renderer (files under
// <node>/), k8s nodes as the workers of one kind cluster named after the lab (its
// control plane carries no lab links: kind labels it excluded from load balancers),
// clients as Linux containers, veth links as containerlab links, and every bridge link
// as a containerlab bridge node with each end linked to it. Addresses of Linux and kind
// nodes are set by exec lines; none of them gets a default route.
func planLab(lab *model.Lab, o Options) (plan, error) {
	reg := o.Kinds
	p := plan{Containers: map[string]string{}}
	cl := Topology{Name: lab.Name}
	var errs []string
	topoName := map[string]string{} // model node -> containerlab node name

	k8s := lab.NodesWithRole(model.RoleK8sNode)
	var kindFile DeployFile
	if len(k8s) > 0 {
		c := KindCluster{Name: lab.Name, Nodes: []KindNode{{Role: RoleControlPlane, Image: o.Images["k8s-node"]}}}
		for _, n := range k8s {
			c.Nodes = append(c.Nodes, KindNode{Role: RoleWorker, Image: o.Images["k8s-node"], Labels: n.Labels})
		}
		cfg, err := RenderKindConfig(c)
		if err != nil {
			return p, err
		}
		kindFile = DeployFile{Path: kindConfig(c.Name), Content: cfg}
		names := c.NodeNames()
		p.Deploy.Clusters = []DeployCluster{{Name: c.Name, Config: kindFile.Path, Nodes: names, CreatedByContainerlab: o.ClusterByContainerlab}}
		nodes := ClusterNodes(c.Name, kindFile.Path, len(k8s), o.ClusterByContainerlab)
		for i, n := range k8s {
			topoName[n.Name], p.Containers[n.Name] = names[i+1], names[i+1]
		}
		byContainer := map[string]model.LabNode{}
		for _, n := range k8s {
			byContainer[topoName[n.Name]] = n
		}
		for i := range nodes {
			if n, ok := byContainer[nodes[i].Name]; ok {
				nodes[i].Exec = hostExec(n, false)
			}
		}
		cl.Nodes = append(cl.Nodes, nodes...)
		if lab.Node(c.Name) != nil {
			errs = append(errs, fmt.Sprintf("node %s: named like the lab, whose kind cluster takes that name: rename the node", c.Name))
		}
	}

	for _, n := range lab.Nodes {
		var node TopoNode
		switch n.Role {
		case model.RoleRouter:
			rn, files, err := routerNode(lab, n, reg, o.Images[n.Kind])
			if err != nil {
				errs = append(errs, err.Error())
				continue
			}
			node = rn
			p.Deploy.Files = append(p.Deploy.Files, files...)
		case model.RoleClient:
			h, err := reg.Host(string(model.RoleClient))
			if err != nil {
				errs = append(errs, err.Error())
				continue
			}
			node = HostNode(n.Name, h, o.Images["client"])
			node.Exec = hostExec(n, false)
		default:
			continue // k8s nodes above; bridge nodes became bridge links
		}
		node.Group = n.Site
		cl.Nodes = append(cl.Nodes, node)
		topoName[n.Name], p.Containers[n.Name] = n.Name, "clab-"+lab.Name+"-"+n.Name
	}

	for _, l := range lab.Links {
		if l.Kind == model.LinkBridge {
			// containerlab attaches to an existing host bridge: the backend creates it.
			cl.Nodes = append(cl.Nodes, TopoNode{Name: l.Bridge, Kind: "bridge"})
			p.Bridges = append(p.Bridges, l.Bridge)
			for _, e := range l.Ends {
				cl.Links = append(cl.Links, Link{
					A: Endpoint{Node: topoName[e.Node], Interface: e.Interface},
					B: Endpoint{Node: l.Bridge, Interface: e.HostName},
				})
			}
			continue
		}
		if len(l.Ends) != 2 {
			errs = append(errs, fmt.Sprintf("link %s: a veth link has %d ends, want 2", l.Name, len(l.Ends)))
			continue
		}
		cl.Links = append(cl.Links, Link{
			A: Endpoint{Node: topoName[l.Ends[0].Node], Interface: l.Ends[0].Interface},
			B: Endpoint{Node: topoName[l.Ends[1].Node], Interface: l.Ends[1].Interface},
		})
	}
	if len(errs) > 0 {
		return p, fmt.Errorf("lab %s on clab: %s", lab.Name, strings.Join(errs, "; "))
	}
	topo, err := RenderTopology(cl)
	if err != nil {
		return p, err
	}
	p.Deploy.Name = lab.Name
	p.Deploy.Topology = TopologyFile
	p.Deploy.Files = append([]DeployFile{{Path: TopologyFile, Content: topo}}, p.Deploy.Files...)
	if kindFile.Path != "" {
		p.Deploy.Files = append(p.Deploy.Files[:1], append([]DeployFile{kindFile}, p.Deploy.Files[1:]...)...)
	}
	return p, nil
}

// routerNode renders router n with its kind's own renderer and maps it to a
// containerlab node whose binds or startup-config name the rendered files.
func routerNode(lab *model.Lab, n model.LabNode, reg *kind.Registry, image string) (TopoNode, []DeployFile, error) {
	in, err := lab.RouterIntent(n.Name)
	if err != nil {
		return TopoNode{}, nil, err
	}
	k, err := reg.Router(n.Kind)
	if err != nil {
		return TopoNode{}, nil, fmt.Errorf("router %s: %w", n.Name, err)
	}
	rendered, err := k.Render(in)
	if err != nil {
		return TopoNode{}, nil, err
	}
	node, err := RouterNode(n.Name, k, image, n.Name)
	if err != nil {
		return TopoNode{}, nil, err
	}
	var files []DeployFile
	have := map[string]bool{}
	for _, f := range rendered {
		p := path.Join(n.Name, f.Path)
		files = append(files, DeployFile{Path: p, Content: f.Content})
		have[p] = true
	}
	for _, b := range node.Binds {
		if host, _, _ := strings.Cut(b, ":"); !have[host] {
			return TopoNode{}, nil, fmt.Errorf("router %s: kind %s binds %s, which its renderer did not produce", n.Name, n.Kind, host)
		}
	}
	if c := k.Container(); c.Linux {
		// Linux containers: the kernel holds the addresses (zebra reads them; BIRD and
		// gobgpd do not set them); then the daemons the image does not start itself.
		node.Exec = append(hostExec(n, true), c.Exec...)
	}
	return node, files, nil
}

// hostExec is the ip commands giving a Linux or kind node its lab addresses (and, for
// routers, loopbacks) and its static routes. Every route is to a lab prefix via a lab
// neighbour: never a default route.
func hostExec(n model.LabNode, loopbacks bool) []string {
	var out []string
	if loopbacks {
		for _, p := range n.Loopbacks {
			out = append(out, fmt.Sprintf("ip addr add %s dev lo", p))
		}
	}
	for _, itf := range n.Interfaces {
		for _, a := range itf.Addresses {
			out = append(out, fmt.Sprintf("ip addr add %s dev %s", a, itf.Name))
		}
	}
	for _, r := range n.Routes {
		if r.Prefix.Bits() == 0 {
			continue // the model never makes one; a default route would leave the lab
		}
		out = append(out, routeExec(r.Prefix, r.Via))
	}
	return out
}

func routeExec(p netip.Prefix, via []netip.Addr) string {
	if len(via) == 1 {
		return fmt.Sprintf("ip route add %s via %s", p, via[0])
	}
	parts := []string{"ip route add " + p.String()}
	for _, v := range via {
		parts = append(parts, "nexthop via "+v.String())
	}
	return strings.Join(parts, " ")
}
