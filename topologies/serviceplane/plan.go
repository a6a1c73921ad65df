package serviceplane

import (
	"cmp"
	"slices"
)

// Plan is what turns the state the nodes have into the desired one. Apply it
// in field order: close listeners before their address goes, add addresses
// before a listener binds them.
type Plan struct {
	Close       []Listener
	DelBindings []Binding
	AddBindings []Binding
	Open        []Listener
}

// Empty reports whether the plan changes nothing.
func (p Plan) Empty() bool {
	return len(p.Close)+len(p.DelBindings)+len(p.AddBindings)+len(p.Open) == 0
}

// PlanFor diffs two states. The result is sorted, so equal inputs give equal
// plans and tests can compare them.
func PlanFor(have, want State) Plan {
	var p Plan
	for l := range have.Listeners {
		if !want.Listeners[l] {
			p.Close = append(p.Close, l)
		}
	}
	for b := range have.Bindings {
		if !want.Bindings[b] {
			p.DelBindings = append(p.DelBindings, b)
		}
	}
	for b := range want.Bindings {
		if !have.Bindings[b] {
			p.AddBindings = append(p.AddBindings, b)
		}
	}
	for l := range want.Listeners {
		if !have.Listeners[l] {
			p.Open = append(p.Open, l)
		}
	}
	slices.SortFunc(p.Close, compareListeners)
	slices.SortFunc(p.Open, compareListeners)
	slices.SortFunc(p.DelBindings, compareBindings)
	slices.SortFunc(p.AddBindings, compareBindings)
	return p
}

func compareBindings(a, b Binding) int {
	return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), a.IP.Compare(b.IP))
}

func compareListeners(a, b Listener) int {
	return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Node, b.Node),
		a.IP.Compare(b.IP), cmp.Compare(a.Port, b.Port))
}
