package kinds_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bgplb/bgplb/topologies/intent"
	"github.com/bgplb/bgplb/topologies/intent/intenttest"
	"github.com/bgplb/bgplb/topologies/kind"
	"github.com/bgplb/bgplb/topologies/kinds"
)

func TestRegistryHasEveryKind(t *testing.T) {
	reg := kinds.Registry()
	want := []string{"bird", "ceos", "frr", "gobgp", "iosxe", "openbgpd", "vyos"}
	if got := reg.RouterNames(); !slices.Equal(got, want) {
		t.Fatalf("router kinds %v, want %v", got, want)
	}
	for _, h := range []string{"client", "k8s-node"} {
		if _, err := reg.Host(h); err != nil {
			t.Error(err)
		}
	}
	for alias, name := range map[string]string{"eos": "ceos", "bird2": "bird", "gobgpd": "gobgp", "bgpd": "openbgpd"} {
		if k, err := reg.Router(alias); err != nil || k.Name() != name {
			t.Errorf("alias %s: %v, %v; want kind %s", alias, k, err, name)
		}
	}
	if _, err := reg.Router("junos"); err == nil || !strings.Contains(err.Error(), "known: bird, ceos, frr") {
		t.Errorf("unknown kind: error %v, want one listing the known kinds", err)
	}
}

// TestEveryKindKeepsTheContract: every router kind renders the smallest intent, is
// run here by a daemon that plans it into files and processes, has a container, and
// either reads its router or says it cannot.
func TestEveryKindKeepsTheContract(t *testing.T) {
	reg := kinds.Registry()
	env := kind.Env{SysConfDir: "/x/etc", RunDir: "/x/run", LibDir: "/x/lib"}
	for _, name := range reg.RouterNames() {
		k, _ := reg.Router(name)
		t.Run(name, func(t *testing.T) {
			files, err := k.Render(intenttest.Minimal())
			if err != nil || len(files) == 0 {
				t.Errorf("render: %d files, error %v", len(files), err)
			}
			c := k.Container()
			if c.ClabKind == "" {
				t.Error("container has no containerlab kind")
			}
			for f := range c.Binds {
				if !slices.ContainsFunc(files, func(r intent.File) bool { return r.Path == f }) {
					t.Errorf("container binds %s, which Render does not produce", f)
				}
			}
			if c.Startup != "" && !slices.ContainsFunc(files, func(r intent.File) bool { return r.Path == c.Startup }) {
				t.Errorf("container starts from %s, which Render does not produce", c.Startup)
			}
			run, err := reg.RunsAs(name)
			if err != nil {
				t.Fatal(err)
			}
			plan, err := run.Local().Daemon.Plan(kind.LocalRouter{Node: "r1", Namespace: "lab-r1",
				Dir: "/lab/r1/" + run.Name(), NodeDir: "/lab/r1", Intent: intenttest.Minimal(), Env: env})
			if err != nil {
				t.Fatalf("plan: %v", err)
			}
			if plan.Control == "" || len(plan.Processes) == 0 || len(plan.Files) == 0 {
				t.Errorf("plan has control %q, %d processes, %d files", plan.Control, len(plan.Processes), len(plan.Files))
			}
			for _, f := range plan.Files {
				if !filepath.IsAbs(f.Path) {
					t.Errorf("plan file %s is not absolute", f.Path)
				}
			}
			if rd := run.Local().Daemon.Ready(plan.Control, []string{plan.Processes[0].Name}); len(rd.Probe) == 0 {
				t.Error("no readiness probe")
			}
			p, err := k.Probe(func(context.Context, []string) ([]byte, error) { return nil, nil }, time.Now)
			if (p == nil) == (err == nil) || (err != nil && !errors.Is(err, kind.ErrNoProbe)) {
				t.Errorf("probe %v, error %v: want a probe or ErrNoProbe", p, err)
			}
		})
	}
}

// TestBrokenKindsAreRefused: the registry refuses, at load time, a kind the lab could
// not run, and two kinds claiming one name.
func TestBrokenKindsAreRefused(t *testing.T) {
	frr, _ := kinds.Registry().Router("frr")
	for name, routers := range map[string][]kind.Router{
		"no way to run":   {frr, broken{name: "x"}},
		"emulated by ???": {frr, broken{name: "x", local: kind.Local{EmulatedBy: "nothing"}}},
		"no container":    {frr, broken{name: "x", local: kind.Local{EmulatedBy: "frr"}, noContainer: true}},
		"name taken":      {frr, broken{name: "x", alias: "frr", local: kind.Local{EmulatedBy: "frr"}}},
	} {
		if _, err := kind.NewRegistry(routers, nil); err == nil {
			t.Errorf("%s: registry accepted it", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}

type broken struct {
	name, alias string
	local       kind.Local
	noContainer bool
}

func (b broken) Name() string { return b.name }
func (b broken) Aliases() []string {
	if b.alias == "" {
		return nil
	}
	return []string{b.alias}
}
func (broken) Render(intent.Router) ([]intent.File, error) { return nil, nil }
func (b broken) Local() kind.Local                         { return b.local }
func (b broken) Container() kind.Container {
	if b.noContainer {
		return kind.Container{}
	}
	return kind.Container{ClabKind: "linux"}
}
func (broken) Probe(kind.Exec, func() time.Time) (kind.Probe, error) { return nil, kind.ErrNoProbe }
