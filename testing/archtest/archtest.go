// Package archtest keeps the architecture honest: the pure cores (config, allocator,
// routes, BFD, topology model, renderers) must not reach processes, sockets, netlink,
// the Kubernetes client, controller-runtime or GoBGP, and must not open files or
// sockets. Its test lists each pure package's dependencies with `go list -deps` and
// scans its source; the rules themselves are plain functions so that a test can prove
// they fire on a synthetic violation.
package archtest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"strings"
)

// module is this repository's module path.
const module = "github.com/bgplb/bgplb"

// forbiddenAnywhere are import paths (and their subpackages) a pure package must not
// depend on even transitively: running processes, syscalls, netlink, the Kubernetes
// client, controller-runtime and GoBGP.
var forbiddenAnywhere = []string{
	"os/exec",
	"golang.org/x/sys/unix",
	"golang.org/x/sys/windows",
	"github.com/vishvananda/netlink",
	"github.com/vishvananda/netns",
	"k8s.io/client-go",
	"sigs.k8s.io/controller-runtime",
	"github.com/osrg/gobgp",
}

// forbiddenDirect are standard packages our own pure code must not import. They are
// checked on the project's packages only, not transitively: apimachinery, which the
// API types need, imports net and syscall for helpers we never call.
var forbiddenDirect = []string{"net", "net/http", "syscall", "os/exec", "os/signal"}

// forbiddenCalls are functions that open files or sockets, by package path.
var forbiddenCalls = map[string][]string{
	"os": {"Open", "OpenFile", "Create", "ReadFile", "WriteFile", "ReadDir", "Mkdir", "MkdirAll", "Remove", "RemoveAll", "Rename"},
	"net": {"Dial", "DialTimeout", "DialTCP", "DialUDP", "DialIP", "DialUnix", "Listen", "ListenPacket",
		"ListenTCP", "ListenUDP", "ListenIP", "ListenUnix", "ListenUnixgram", "ListenMulticastUDP"},
}

// Package is what the rules need to know about one package of a dependency list.
type Package struct {
	ImportPath string
	// Own is true for packages of this module.
	Own     bool
	Imports []string
}

// Violations applies forbiddenAnywhere to every dependency of a pure package and
// forbiddenDirect to the imports of this module's packages among them.
func Violations(deps []Package) []string {
	var out []string
	for _, p := range deps {
		if matchesAny(p.ImportPath, forbiddenAnywhere) {
			out = append(out, fmt.Sprintf("depends on %s", p.ImportPath))
		}
		if !p.Own {
			continue
		}
		for _, imp := range p.Imports {
			if slices.Contains(forbiddenDirect, imp) {
				out = append(out, fmt.Sprintf("%s imports %s", p.ImportPath, imp))
			}
		}
	}
	return out
}

func matchesAny(path string, prefixes []string) bool {
	for _, f := range prefixes {
		if path == f || strings.HasPrefix(path, f+"/") {
			return true
		}
	}
	return false
}

// ForbiddenCallsIn parses one Go source file and returns each use of a
// forbiddenCalls function, resolving renamed imports ("stdos \"os\"").
func ForbiddenCallsIn(filename string, src []byte) ([]string, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filename, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	local := map[string]string{} // local name -> import path, for the watched packages
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		if _, watched := forbiddenCalls[path]; !watched {
			continue
		}
		name := path[strings.LastIndex(path, "/")+1:]
		if imp.Name != nil {
			name = imp.Name.Name
		}
		local[name] = path
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		id, ok := sel.X.(*ast.Ident)
		if !ok {
			return true
		}
		if path, ok := local[id.Name]; ok && slices.Contains(forbiddenCalls[path], sel.Sel.Name) {
			out = append(out, fmt.Sprintf("%s: %s.%s", fset.Position(sel.Pos()), path, sel.Sel.Name))
		}
		return true
	})
	return out, nil
}
