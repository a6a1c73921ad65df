package scenarios

import (
	"fmt"
	"slices"
	"strings"
)

// Expectation is one thing a step waits for. Check returns nil when the View
// shows it, or an error saying what the View shows instead (the suites print the
// last one when a deadline passes).
type Expectation interface {
	Check(View) error
	String() string
}

// RouteVia: Router has a route to Service whose next hops are exactly NextHops
// (node names; nil means any non-empty set), carrying at least Communities, with
// LocalPref when set. Length, when set, is the prefix length the route must have
// (an aggregate); otherwise the most specific route counts.
type RouteVia struct {
	Router, Service string
	NextHops        []string
	Communities     []string
	// Without are communities the route must not carry.
	Without   []string
	LocalPref *uint32
	Length    int
	// IPv6 checks the route to the Service's IPv6 address.
	IPv6 bool
}

func (e RouteVia) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s has a route to %s", e.Router, e.Service)
	if e.IPv6 {
		b.WriteString(" (IPv6)")
	}
	if e.Length > 0 {
		fmt.Fprintf(&b, " (/%d)", e.Length)
	}
	if e.NextHops != nil {
		fmt.Fprintf(&b, " via %v", sortedCopy(e.NextHops))
	}
	if len(e.Communities) > 0 {
		fmt.Fprintf(&b, " with communities %v", e.Communities)
	}
	if len(e.Without) > 0 {
		fmt.Fprintf(&b, " without %v", e.Without)
	}
	if e.LocalPref != nil {
		fmt.Fprintf(&b, " and LOCAL_PREF %d", *e.LocalPref)
	}
	return b.String()
}

// Check implements Expectation.
func (e RouteVia) Check(v View) error {
	rs, ip, ok := v.routesFor(e.Router, e.Service, e.IPv6)
	if !ok {
		return fmt.Errorf("service %s has no IP of that family yet", e.Service)
	}
	if e.Length > 0 {
		rs = slices.DeleteFunc(rs, func(r Route) bool { return r.Prefix.Bits() != e.Length })
	}
	if len(rs) == 0 {
		return fmt.Errorf("%s has no route covering %s", e.Router, ip)
	}
	r := rs[0]
	if len(r.NextHops) == 0 {
		return fmt.Errorf("%s: %s has no next hop", e.Router, r.Prefix)
	}
	if e.NextHops != nil && !slices.Equal(sortedCopy(r.NextHops), sortedCopy(e.NextHops)) {
		return fmt.Errorf("%s: %s via %v, want %v", e.Router, r.Prefix, sortedCopy(r.NextHops), sortedCopy(e.NextHops))
	}
	for _, c := range e.Communities {
		if !slices.Contains(r.Communities, c) {
			return fmt.Errorf("%s: %s carries communities %v, missing %s", e.Router, r.Prefix, r.Communities, c)
		}
	}
	for _, c := range e.Without {
		if slices.Contains(r.Communities, c) {
			return fmt.Errorf("%s: %s carries %s, which it must not", e.Router, r.Prefix, c)
		}
	}
	if e.LocalPref != nil {
		switch {
		case r.LocalPref == nil:
			return fmt.Errorf("%s: %s has no LOCAL_PREF, want %d", e.Router, r.Prefix, *e.LocalPref)
		case *r.LocalPref != *e.LocalPref:
			return fmt.Errorf("%s: %s has LOCAL_PREF %d, want %d", e.Router, r.Prefix, *r.LocalPref, *e.LocalPref)
		}
	}
	return nil
}

// NoRoute: Router has no route covering Service's IP (a Service without an IP
// has none anywhere); IPv6 checks its IPv6 address.
type NoRoute struct {
	Router, Service string
	IPv6            bool
}

func (e NoRoute) String() string { return fmt.Sprintf("%s has no route to %s", e.Router, e.Service) }

// Check implements Expectation.
func (e NoRoute) Check(v View) error {
	rs, _, ok := v.routesFor(e.Router, e.Service, e.IPv6)
	if ok && len(rs) > 0 {
		return fmt.Errorf("%s still has %s via %v", e.Router, rs[0].Prefix, rs[0].NextHops)
	}
	return nil
}

// SessionIs: Router's session toward node Neighbor is in State.
type SessionIs struct{ Router, Neighbor, State string }

func (e SessionIs) String() string {
	return fmt.Sprintf("%s's session with %s is %s", e.Router, e.Neighbor, e.State)
}

// Check implements Expectation.
func (e SessionIs) Check(v View) error {
	for _, s := range v.Sessions {
		if s.Router == e.Router && s.Neighbor == e.Neighbor {
			if s.State != e.State {
				return fmt.Errorf("%s's session with %s is %s", e.Router, e.Neighbor, s.State)
			}
			return nil
		}
	}
	return fmt.Errorf("%s has no session with %s", e.Router, e.Neighbor)
}

// BFDIs: Router's BFD session toward node PeerNode is in State (FRR's words:
// up, down, init).
type BFDIs struct{ Router, PeerNode, State string }

func (e BFDIs) String() string {
	return fmt.Sprintf("%s's BFD session with %s is %s", e.Router, e.PeerNode, e.State)
}

// Check implements Expectation.
func (e BFDIs) Check(v View) error {
	for _, b := range v.BFD {
		if b.Router == e.Router && b.PeerNode == e.PeerNode {
			if !strings.EqualFold(b.State, e.State) {
				return fmt.Errorf("%s's BFD session with %s is %s", e.Router, e.PeerNode, b.State)
			}
			return nil
		}
	}
	return fmt.Errorf("%s has no BFD session with %s", e.Router, e.PeerNode)
}

// HasIP: the Service has a load-balancer IP (the controller allocated one).
type HasIP struct{ Service string }

func (e HasIP) String() string { return e.Service + " has an IP" }

// Check implements Expectation.
func (e HasIP) Check(v View) error {
	if len(v.Services[e.Service]) == 0 {
		return fmt.Errorf("%s has no IP", e.Service)
	}
	return nil
}

// All checks every expectation and returns the first failure.
func All(v View, es []Expectation) error {
	for _, e := range es {
		if err := e.Check(v); err != nil {
			return fmt.Errorf("%s: %w", e, err)
		}
	}
	return nil
}

// Pref is a LOCAL_PREF literal for expectations.
func Pref(n uint32) *uint32 { return &n }
