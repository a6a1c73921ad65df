package archtest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// purePatterns are the pure cores of ARCHITECTURE.md. Patterns for packages that do
// not exist yet are logged, not failed, so the list can name what is coming.
var purePatterns = []string{
	"config",
	"controller/allocator",
	"speaker/routes",
	"speaker/bfd",
	"topologies/model",
	"topologies/intent/...",
	"topologies/kind",
	"topologies/kinds/...",
	"scenarios",
	"scenarios/timeline",
	"cli/snapshot/...",
	"cli/status",
	"cli/plan",
}

type listed struct {
	ImportPath string
	Dir        string
	GoFiles    []string
}

func goList(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// purePackages expands purePatterns to packages with Go files. Test-helper packages
// (named *test, like rendertest) are exempt: only _test.go files may import them, and
// if a pure package imported one, its dependency list would show the violation.
func purePackages(t *testing.T) []listed {
	var out []listed
	for _, pat := range purePatterns {
		text := goList(t, "-e", "-f", "{{if .GoFiles}}{{.ImportPath}}\t{{.Dir}}\t{{join .GoFiles \" \"}}{{end}}", module+"/"+pat)
		found := 0
		for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
			f := strings.Split(line, "\t")
			if len(f) != 3 {
				continue
			}
			if strings.HasSuffix(f[0], "test") {
				t.Logf("%s: test-helper package, exempt", f[0])
				continue
			}
			out = append(out, listed{ImportPath: f[0], Dir: f[1], GoFiles: strings.Fields(f[2])})
			found++
		}
		if found == 0 {
			t.Logf("pattern %s matches no package yet; nothing to check", pat)
		}
	}
	return out
}

func TestPurePackagesDependencies(t *testing.T) {
	pkgs := purePackages(t)
	if len(pkgs) == 0 {
		t.Fatal("no pure package found; is the module path right?")
	}
	for _, p := range pkgs {
		text := goList(t, "-deps", "-f", "{{.ImportPath}}\t{{if .Module}}{{.Module.Path}}{{end}}\t{{join .Imports \" \"}}", p.ImportPath)
		var deps []Package
		for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
			f := strings.Split(line, "\t")
			if len(f) != 3 {
				t.Fatalf("unexpected go list line %q", line)
			}
			deps = append(deps, Package{ImportPath: f[0], Own: f[1] == module, Imports: strings.Fields(f[2])})
		}
		for _, v := range Violations(deps) {
			t.Errorf("pure package %s %s", p.ImportPath, v)
		}
	}
}

func TestPurePackagesOpenNoFilesOrSockets(t *testing.T) {
	for _, p := range purePackages(t) {
		for _, name := range p.GoFiles {
			path := filepath.Join(p.Dir, name)
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			calls, err := ForbiddenCallsIn(path, src)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range calls {
				t.Errorf("pure package %s uses %s", p.ImportPath, c)
			}
		}
	}
}

// The rules must be able to fail: synthetic dependency lists and sources that break
// each rule are caught, and clean ones are not.
func TestViolationsCatchSynthetic(t *testing.T) {
	own := func(path string, imports ...string) Package {
		return Package{ImportPath: path, Own: true, Imports: imports}
	}
	dep := func(path string, imports ...string) Package { return Package{ImportPath: path, Imports: imports} }
	for _, c := range []struct {
		name string
		deps []Package
		want int
	}{
		{"clean", []Package{own(module+"/x", "fmt", "net/netip"), dep("k8s.io/apimachinery/pkg/util/net", "net", "syscall"), dep("net")}, 0},
		{"exec transitively", []Package{own(module + "/x"), dep("os/exec")}, 1},
		{"client-go", []Package{own(module + "/x"), dep("k8s.io/client-go/kubernetes")}, 1},
		{"controller-runtime", []Package{dep("sigs.k8s.io/controller-runtime/pkg/client")}, 1},
		{"gobgp", []Package{dep("github.com/osrg/gobgp/v3/pkg/server")}, 1},
		{"netlink", []Package{dep("github.com/vishvananda/netlink")}, 1},
		{"x/sys/unix", []Package{dep("golang.org/x/sys/unix")}, 1},
		{"x/sys/cpu is fine", []Package{dep("vendor/golang.org/x/sys/cpu"), dep("golang.org/x/sys/cpu")}, 0},
		{"prefix is not a match", []Package{dep("k8s.io/client-gopher")}, 0},
		{"own package imports net", []Package{own(module+"/x", "net/netip", "net")}, 1},
		{"own package imports syscall", []Package{own(module+"/x", "syscall")}, 1},
	} {
		if got := Violations(c.deps); len(got) != c.want {
			t.Errorf("%s: %d violations %q, want %d", c.name, len(got), got, c.want)
		}
	}
}

func TestForbiddenCallsCatchSynthetic(t *testing.T) {
	for _, c := range []struct {
		name, src string
		want      int
	}{
		{"clean", `package x; import ("os"; "net/netip"); func f() { _ = os.Getenv("A"); _ = netip.Addr{} }`, 0},
		{"open", `package x; import "os"; func f() { os.Open("a"); os.WriteFile("b", nil, 0) }`, 2},
		{"renamed", `package x; import stdos "os"; func f() { stdos.ReadFile("a") }`, 1},
		{"dial", `package x; import "net"; func f() { net.Dial("tcp", "x"); net.Listen("tcp", ":0") }`, 2},
		{"value not call", `package x; import "os"; var open = os.Create`, 1},
		{"shadowing name of another package", `package x; import os "fmt"; func f() { os.Println() }`, 0},
	} {
		got, err := ForbiddenCallsIn("x.go", []byte(c.src))
		if err != nil || len(got) != c.want {
			t.Errorf("%s: %q (%v), want %d", c.name, got, err, c.want)
		}
	}
}
