package allocator

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPure keeps the allocator a pure core: it imports the standard library,
// apimachinery's labels and the config core only, and nothing it pulls in runs
// commands or talks to Kubernetes or routers.
func TestPure(t *testing.T) {
	const pkg = "github.com/bgplb/bgplb/controller/allocator"
	imports, err := exec.Command("go", "list", "-f", `{{join .Imports " "}}`, pkg).Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	for _, imp := range strings.Fields(string(imports)) {
		if strings.Contains(imp, ".") && imp != "k8s.io/apimachinery/pkg/labels" && imp != "github.com/bgplb/bgplb/config" {
			t.Errorf("allocator imports %s", imp)
		}
	}
	deps, err := exec.Command("go", "list", "-deps", pkg).Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	for _, dep := range strings.Fields(string(deps)) {
		for _, bad := range []string{"os/exec", "k8s.io/client-go", "sigs.k8s.io/controller-runtime", "github.com/osrg/gobgp", "github.com/vishvananda/netlink"} {
			if dep == bad || strings.HasPrefix(dep, bad+"/") {
				t.Errorf("allocator depends on %s", dep)
			}
		}
	}
}
