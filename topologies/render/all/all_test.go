package all_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/bgplb/bgplb/topologies/render/all"
	"github.com/bgplb/bgplb/topologies/render/rendertest"
)

func TestRegistryHasEveryKind(t *testing.T) {
	want := []string{"bird", "ceos", "frr", "gobgp", "iosxe", "vyos"}
	if got := all.Registry().Kinds(); !slices.Equal(got, want) {
		t.Fatalf("kinds %v, want %v", got, want)
	}
}

// TestEveryKindRendersMinimal renders the smallest intent with each kind through the
// registry: every renderer accepts what the lab's smallest topology asks for.
func TestEveryKindRendersMinimal(t *testing.T) {
	reg := all.Registry()
	for _, kind := range reg.Kinds() {
		files, err := reg.Render(kind, rendertest.Minimal())
		if err != nil || len(files) == 0 {
			t.Errorf("%s: %d files, error %v", kind, len(files), err)
		}
	}
	if _, err := reg.Render("junos", rendertest.Minimal()); err == nil || !strings.Contains(err.Error(), "valid kinds: bird, ceos") {
		t.Errorf("unknown kind: error %v, want one listing the valid kinds", err)
	}
}

// TestRenderersArePure keeps the renderers free of I/O: their non-test dependencies
// may not include os/exec, net (sockets), the test helpers or anything outside the standard library
// and this module's pure packages.
func TestRenderersArePure(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/bgplb/bgplb/topologies/render/all").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		switch {
		case dep == "os/exec", dep == "net", strings.HasPrefix(dep, "github.com/bgplb/bgplb/topologies/render/rendertest"):
			t.Errorf("renderers import %s", dep)
		case strings.Contains(dep, "."):
			if !strings.HasPrefix(dep, "github.com/bgplb/bgplb/topologies/render") && !strings.HasPrefix(dep, "vendor/") {
				t.Errorf("renderers import non-standard package %s", dep)
			}
		}
	}
}
