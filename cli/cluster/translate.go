package cluster

import (
	"cmp"
	"slices"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"

	"github.com/bgplb/bgplb/cli/lint"
	"github.com/bgplb/bgplb/cli/plan"
	"github.com/bgplb/bgplb/cli/snapshot"
	"github.com/bgplb/bgplb/config/manifest"
	controllerk8s "github.com/bgplb/bgplb/controller/k8s"
	speakerk8s "github.com/bgplb/bgplb/speaker/k8s"
	"github.com/bgplb/bgplb/speaker/routes"
)

// Options change how objects are translated.
type Options struct {
	// Namespace is the product namespace.
	Namespace string
	// LBClass is the components' --lb-class: which Services are ours.
	LBClass string
	// IgnoreExcludeLB is the speakers' --ignore-exclude-lb.
	IgnoreExcludeLB bool
	// AssumeEndpoints gives every Service without an EndpointSlice one ready endpoint
	// on every node. Manifest files carry no EndpointSlices; without this every
	// Service read from files would be "noEndpoints" and announced nowhere, old
	// configuration or new.
	AssumeEndpoints bool
}

// Snapshot translates the objects as the controller and the speakers do.
func (o Objects) Snapshot(opts Options) snapshot.Snapshot {
	s := snapshot.Snapshot{
		Namespace:    opts.Namespace,
		Resources:    o.Resources,
		ConfigStates: o.ConfigStates,
		RouteOptions: routes.Options{IgnoreExcludeLB: opts.IgnoreExcludeLB},
	}
	for i := range o.Resources.Nodes {
		s.Nodes = append(s.Nodes, speakerk8s.NodeFrom(&o.Resources.Nodes[i]))
	}
	nsLabels := map[string]map[string]string{}
	for _, ns := range o.Resources.Namespaces {
		nsLabels[ns.Name] = ns.Labels
	}
	bySvc := slicesByService(o.Slices)
	for i := range o.Services {
		svc := &o.Services[i]
		if !speakerk8s.Handles(svc, opts.LBClass) || !svc.DeletionTimestamp.IsZero() {
			continue
		}
		s.Services = append(s.Services, service(svc, bySvc[controllerk8s.Key(svc)], nsLabels[svc.Namespace], s.Nodes, opts))
	}
	s.Sort()
	return s
}

func service(svc *corev1.Service, eps []*discoveryv1.EndpointSlice, nsLabels map[string]string, nodes []routes.Node, opts Options) snapshot.Service {
	out := snapshot.Service{Service: speakerk8s.ServiceFrom(svc, eps, nil)}
	if len(eps) == 0 && opts.AssumeEndpoints {
		for _, n := range nodes {
			out.Endpoints = append(out.Endpoints, routes.Endpoint{Node: n.Name, Address: "assumed-" + n.Name, Ready: true})
		}
	}
	req, _, err := controllerk8s.Translate(svc, nsLabels)
	out.Request = req
	if err != nil {
		out.RequestErr = err.Error()
	}
	return out
}

// slicesByService indexes EndpointSlices by "namespace/service-name", as the
// speaker's snapshot does.
func slicesByService(all []discoveryv1.EndpointSlice) map[string][]*discoveryv1.EndpointSlice {
	out := map[string][]*discoveryv1.EndpointSlice{}
	for i := range all {
		s := &all[i]
		if name := s.Labels[discoveryv1.LabelServiceName]; name != "" {
			k := s.Namespace + "/" + name
			out[k] = append(out[k], s)
		}
	}
	for _, v := range out {
		slices.SortFunc(v, func(a, b *discoveryv1.EndpointSlice) int { return cmp.Compare(a.Name, b.Name) })
	}
	return out
}

// PlanInput is the planning core's input for applying the documents of newSet to
// cur: the current snapshot, the one that would result (newSet overlaid on cur), the
// findings only lint can give about newSet (fields the API does not have, objects
// that do not decode), and where each new document was written.
func PlanInput(cur Objects, newSet *manifest.Set, opts Options) plan.Input {
	next := Overlay(cur, FromSet(newSet, opts.Namespace))
	in := plan.Input{
		Current: cur.Snapshot(opts),
		Next:    next.Snapshot(opts),
		Origins: map[string]string{},
	}
	for _, o := range newSet.Objects {
		if _, dup := in.Origins[o.Kind+"/"+o.Name]; !dup {
			in.Origins[o.Kind+"/"+o.Name] = o.Source.String()
		}
	}
	in.Extra = documentFindings(newSet, opts.Namespace)
	return in
}

// documentFindings are lint's own findings about the documents themselves; every
// other finding comes from the configuration core on the whole resulting
// configuration (lint alone would call a reference to a current object missing).
func documentFindings(set *manifest.Set, ns string) []plan.Finding {
	var out []plan.Finding
	r := lint.Lint(set, lint.Options{Namespace: ns})
	for _, f := range append(r.Errors, r.Warnings...) {
		switch f.Code {
		case lint.CodeUnknownField, lint.CodeDuplicateField, lint.CodeInvalidObject, lint.CodeUnknownKind:
			pf := plan.Finding{Location: f.Location()}
			pf.Severity, pf.Code, pf.Kind, pf.Name, pf.Field = f.Severity, f.Code, f.Kind, f.Name, f.Field
			pf.Message, pf.Hint = f.Message, f.Hint
			out = append(out, pf)
		}
	}
	return out
}
