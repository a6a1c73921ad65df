package kind

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Registry holds every kind bgplb knows. It is built once, explicitly (topologies/kinds
// lists the kinds; no init side effects), and checked as it is built: a kind that is
// incomplete, or a name given twice, is an error then, never a surprise later.
type Registry struct {
	routers map[string]Router
	hosts   map[string]Host
	names   map[string]string // every name and alias -> the kind's name
}

// NewRegistry checks and holds the kinds; the error lists every problem.
func NewRegistry(routers []Router, hosts []Host) (*Registry, error) {
	reg := &Registry{routers: map[string]Router{}, hosts: map[string]Host{}, names: map[string]string{}}
	var errs []error
	claim := func(name, owner string) {
		if name == "" {
			errs = append(errs, fmt.Errorf("kind %q: an empty name or alias", owner))
			return
		}
		if prev, dup := reg.names[name]; dup {
			errs = append(errs, fmt.Errorf("kind %q: name %q is already kind %q's", owner, name, prev))
			return
		}
		reg.names[name] = owner
	}
	for _, r := range routers {
		claim(r.Name(), r.Name())
		for _, a := range r.Aliases() {
			claim(a, r.Name())
		}
		reg.routers[r.Name()] = r
	}
	for _, h := range hosts {
		claim(h.Name(), h.Name())
		reg.hosts[h.Name()] = h
	}
	for _, r := range routers {
		errs = append(errs, reg.checkRouter(r))
	}
	for _, h := range hosts {
		if h.Container().ClabKind == "" {
			errs = append(errs, fmt.Errorf("kind %q: Container has no ClabKind", h.Name()))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("kind registry: %w", err)
	}
	return reg, nil
}

// checkRouter is the completeness check: every part the lab will ask for exists.
func (reg *Registry) checkRouter(r Router) error {
	var errs []error
	bad := func(format string, a ...any) {
		errs = append(errs, fmt.Errorf("kind %q: "+format, append([]any{r.Name()}, a...)...))
	}
	l := r.Local()
	switch {
	case l.Daemon == nil && l.EmulatedBy == "":
		bad("Local has neither a Daemon nor EmulatedBy: the netns backend could not run it")
	case l.Daemon != nil && l.EmulatedBy != "":
		bad("Local has both a Daemon and EmulatedBy %q", l.EmulatedBy)
	case l.EmulatedBy != "":
		by, ok := reg.routers[l.EmulatedBy]
		if !ok || by.Local().Daemon == nil {
			bad("EmulatedBy %q is not a registered kind with a Daemon", l.EmulatedBy)
		}
	}
	if c := r.Container(); c.ClabKind == "" {
		bad("Container has no ClabKind")
	} else if c.Linux && c.Startup != "" {
		bad("Container is Linux (configured by binds) and also has a Startup file")
	}
	return errors.Join(errs...)
}

// Router returns the router kind called name (a name or an alias).
func (reg *Registry) Router(name string) (Router, error) {
	if r, ok := reg.routers[reg.names[name]]; ok {
		return r, nil
	}
	return nil, fmt.Errorf("unknown router kind %q (known: %s)", name, strings.Join(reg.RouterNames(), ", "))
}

// Host returns the host kind called name.
func (reg *Registry) Host(name string) (Host, error) {
	if h, ok := reg.hosts[name]; ok {
		return h, nil
	}
	return nil, fmt.Errorf("unknown host kind %q (known: %s)", name, strings.Join(sortedKeys(reg.hosts), ", "))
}

// RunsAs is the router kind whose daemon runs kind name on the netns backend: the kind
// itself, or the one it is emulated by.
func (reg *Registry) RunsAs(name string) (Router, error) {
	r, err := reg.Router(name)
	if err != nil {
		return nil, err
	}
	if by := r.Local().EmulatedBy; by != "" {
		return reg.Router(by)
	}
	return r, nil
}

// RouterNames lists the router kinds' names, sorted (aliases not included).
func (reg *Registry) RouterNames() []string { return sortedKeys(reg.routers) }

// Names lists every name and alias of the router kinds, sorted.
func (reg *Registry) Names() []string {
	var out []string
	for n, owner := range reg.names {
		if _, ok := reg.routers[owner]; ok {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
