// Package snapshot holds what the operator tools (bgplb status, bgplb plan) know of
// one cluster, already translated into the inputs of the pure cores, and evaluates it
// the way the controller and every speaker do: config.For, then routes.Desired for
// each node. cli/cluster fills a Snapshot from an apiserver or from manifest
// files; this package never sees a client.
//
// The package is pure: standard library, API types and the pure cores only.
package snapshot

import (
	"cmp"
	"slices"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/config"
	"github.com/bgplb/bgplb/controller/allocator"
	"github.com/bgplb/bgplb/speaker/routes"
)

// Snapshot is one cluster's configuration, nodes and LoadBalancer Services.
type Snapshot struct {
	// Namespace is the product namespace the configuration was read from.
	Namespace string
	// Resources are the configuration objects, Secrets, Nodes and Namespaces, as
	// config.For takes them. Resources.Peers keep their status (status.nodes).
	Resources config.Resources
	// Nodes are the cluster's nodes as the speaker sees its own (speaker/k8s.NodeFrom).
	Nodes []routes.Node
	// Services are the LoadBalancer Services the speakers handle.
	Services []Service
	// ConfigStates are the ConfigurationStates the controller and speakers wrote.
	ConfigStates []v1beta1.ConfigurationState
	// RouteOptions are the speakers' flags that change announce rules.
	RouteOptions routes.Options
}

// Service is one LoadBalancer Service: what the speaker announces it from (routes
// input, with the IPs of its status) and what the controller asks the allocator for.
type Service struct {
	routes.Service
	// Request is the controller's allocator request (controller/k8s.Translate).
	Request allocator.Request
	// RequestErr is why the Service could not be turned into a request (a malformed
	// annotation); "" when Request is usable.
	RequestErr string
}

// Evaluation is the configuration core's verdict and every node's desired state.
type Evaluation struct {
	// Config is nil exactly when Findings hold an error.
	Config   *config.Config
	Findings config.Findings
	// Nodes holds routes.Desired per node name. With an invalid configuration it is
	// computed from a nil Config (no peers, nothing announced).
	Nodes map[string]routes.Result
}

// Evaluate runs config.For and routes.Desired for every node, exactly as the
// speakers do, so reasons and routes are the speakers' own.
func (s *Snapshot) Evaluate() Evaluation {
	cfg, fs := s.Config()
	return s.EvaluateWith(cfg, fs)
}

// Config runs config.For on what the controller and the speakers give it: the
// configuration objects, Secrets and Namespaces, but no Nodes. With Nodes the core
// checks more (a localPref conflict on a node both advertisements select), and a
// verdict the components never reach would make status call a running
// configuration invalid; `bgplb lint -f` with the Nodes gives the stricter check.
func (s *Snapshot) Config() (*config.Config, config.Findings) {
	r := s.Resources
	r.Nodes = nil
	return config.For(r, config.Options{Namespace: s.Namespace})
}

// EvaluateWith is Evaluate with the configuration already computed (plan computes
// the new one with the allocator's new addresses in the Services).
func (s *Snapshot) EvaluateWith(cfg *config.Config, fs config.Findings) Evaluation {
	ev := Evaluation{Config: cfg, Findings: fs, Nodes: make(map[string]routes.Result, len(s.Nodes))}
	svcs := s.RouteServices()
	for _, n := range s.Nodes {
		ev.Nodes[n.Name] = routes.Desired(cfg, n, svcs, s.RouteOptions)
	}
	return ev
}

// RouteServices returns the routes inputs of the Services, in key order.
func (s *Snapshot) RouteServices() []routes.Service {
	out := make([]routes.Service, len(s.Services))
	for i := range s.Services {
		out[i] = s.Services[i].Service
	}
	return out
}

// Sort orders nodes by name and Services by key, so that every report built from
// the snapshot is stable whatever order the apiserver listed objects in.
func (s *Snapshot) Sort() {
	slices.SortFunc(s.Nodes, func(a, b routes.Node) int { return cmp.Compare(a.Name, b.Name) })
	slices.SortFunc(s.Services, func(a, b Service) int { return cmp.Compare(a.Key, b.Key) })
}

// NodeNames returns the node names in order.
func (s *Snapshot) NodeNames() []string {
	out := make([]string, len(s.Nodes))
	for i, n := range s.Nodes {
		out[i] = n.Name
	}
	return out
}
