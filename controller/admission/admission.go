// Package admission decides whether a change to the metallb.io configuration may
// be admitted, with the same rules the controller and speakers apply
// (config). Pure: the webhook adapter hands it the current objects and
// the change.
//
// The rule is: refuse a change only for the errors it adds. A configuration that
// is already invalid (pushed while the webhook was down, or made invalid by a
// Secret edit) must stay fixable one object at a time, so errors that were there
// before the change never block it. Warnings the change adds are returned for the
// user to see (kubectl prints them).
package admission

import (
	"fmt"
	"slices"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
	"github.com/bgplb/bgplb/config"
)

// Operation is the admission operation.
type Operation string

// The operations the webhook is registered for.
const (
	Create Operation = "CREATE"
	Update Operation = "UPDATE"
	Delete Operation = "DELETE"
)

// Change is one object being created, updated or deleted. Object is the typed
// object (*v1beta1.IPAddressPool, *v1beta2.BGPPeer, ...); for Delete it may be nil.
type Change struct {
	Op     Operation
	Kind   string
	Name   string
	Object any
}

// Decision is the answer: Denied lists every error the change adds, Warnings
// every warning it adds.
type Decision struct {
	Allowed  bool
	Denied   []string
	Warnings []string
}

// Decide judges ch against the current objects.
func Decide(cur config.Resources, ch Change, opts config.Options) (Decision, error) {
	next, err := apply(cur, ch)
	if err != nil {
		return Decision{}, err
	}
	_, before := config.For(cur, opts)
	_, after := config.For(next, opts)
	d := Decision{Allowed: true}
	pw := config.Passwords(next)
	for _, f := range after {
		if slices.ContainsFunc(before, func(b config.Finding) bool { return same(b, f) }) {
			continue
		}
		msg := config.Redact(f.String(), pw) // names object, field, and the hint
		if f.Severity == config.SeverityError {
			d.Allowed = false
			d.Denied = append(d.Denied, msg)
		} else {
			d.Warnings = append(d.Warnings, msg)
		}
	}
	return d, nil
}

// same: the finding was there before the change (messages may quote values the
// change altered, so they are not compared).
func same(a, b config.Finding) bool {
	return a.Severity == b.Severity && a.Code == b.Code && a.Kind == b.Kind && a.Name == b.Name && a.Field == b.Field
}

// apply returns cur with the change made.
func apply(cur config.Resources, ch Change) (config.Resources, error) {
	next := cur
	switch ch.Kind {
	case config.KindIPAddressPool:
		next.Pools = replace(cur.Pools, ch, func(o v1beta1.IPAddressPool) string { return o.Name })
	case config.KindBGPPeer:
		// One stored object served as v1beta2 and v1beta1: the change replaces it
		// in both lists, whichever version it comes in.
		next.Peers = replace(cur.Peers, ch, func(o v1beta2.BGPPeer) string { return o.Name })
		next.LegacyPeers = replace(cur.LegacyPeers, ch, func(o v1beta1.BGPPeer) string { return o.Name })
	case config.KindBGPAdvertisement:
		next.BGPAdvertisements = replace(cur.BGPAdvertisements, ch, func(o v1beta1.BGPAdvertisement) string { return o.Name })
	case config.KindCommunity:
		next.Communities = replace(cur.Communities, ch, func(o v1beta1.Community) string { return o.Name })
	case config.KindBFDProfile:
		next.BFDProfiles = replace(cur.BFDProfiles, ch, func(o v1beta1.BFDProfile) string { return o.Name })
	case config.KindL2Advertisement:
		next.L2Advertisements = replace(cur.L2Advertisements, ch, func(o v1beta1.L2Advertisement) string { return o.Name })
	default:
		return next, fmt.Errorf("admission: kind %q is not part of the configuration", ch.Kind)
	}
	return next, nil
}

// replace returns items with the object named ch.Name removed and, unless the
// change deletes it, ch.Object put in its place.
func replace[T any](items []T, ch Change, name func(T) string) []T {
	out := slices.DeleteFunc(slices.Clone(items), func(o T) bool { return name(o) == ch.Name })
	if ch.Op == Delete || ch.Object == nil {
		return out
	}
	if o, ok := ch.Object.(*T); ok {
		out = append(out, *o)
	}
	return out
}
