package archtest

import (
	"fmt"
	"strings"
)

// Layer rules: who may import whom, beyond purity. Each rule is a plain function over
// (importer, imported) pairs of this module's packages, so a test proves it fires.

// kindsRoot is the folder of the router and host kinds; kindsRoot itself is the registry.
const kindsRoot = module + "/topologies/kinds"

// kindOf returns the kind folder a package belongs to ("frr" for .../kinds/frr/x), or "".
func kindOf(pkg string) string {
	rest, ok := strings.CutPrefix(pkg, kindsRoot+"/")
	if !ok {
		return ""
	}
	k, _, _ := strings.Cut(rest, "/")
	return k
}

// LayerViolations checks one package's imports against the layer rules:
//   - a kind never imports another kind (shared code lives in topologies/kind or
//     topologies/intent);
//   - only the registry (topologies/kinds) and the kinds' own tests reach a kind
//     package: backends, the lab, scenarios and the CLI go through the registry;
//   - the config core imports no Kubernetes client and no controller or speaker code;
//   - the speaker imports no controller package, and the controller no speaker package;
//   - api/ stands on the ground floor: it imports none of this module's other rooms;
//   - daemon/ is the plumbing both daemons share at their edges: it sits below them and
//     imports no controller, speaker or cli package.
func LayerViolations(pkg string, imports []string) []string {
	var out []string
	bad := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }
	for _, imp := range imports {
		if !strings.HasPrefix(imp, module+"/") && !strings.HasPrefix(imp, "k8s.io/client-go") {
			continue
		}
		switch k, ik := kindOf(pkg), kindOf(imp); {
		case ik != "" && k != "" && k != ik:
			bad("kind %s imports kind %s (%s): kinds never import each other", k, ik, imp)
		case ik != "" && k == "" && pkg != kindsRoot:
			bad("%s imports the kind package %s: reach kinds through the registry (topologies/kinds)", pkg, imp)
		}
		if under(pkg, "config") {
			for _, no := range []string{"k8s.io/client-go", module + "/controller", module + "/speaker", module + "/cli"} {
				if under(imp, strings.TrimPrefix(no, module+"/")) || strings.HasPrefix(imp, no) {
					bad("the config core %s imports %s", pkg, imp)
				}
			}
		}
		if under(pkg, "speaker") && under(imp, "controller") {
			bad("the speaker %s imports the controller's %s", pkg, imp)
		}
		if under(pkg, "controller") && under(imp, "speaker") {
			bad("the controller %s imports the speaker's %s", pkg, imp)
		}
		if under(pkg, "api") && strings.HasPrefix(imp, module+"/") && !under(imp, "api") {
			bad("api package %s imports %s: api/ imports no other room of the module", pkg, imp)
		}
		if under(pkg, "daemon") && (under(imp, "controller") || under(imp, "speaker") || under(imp, "cli")) {
			bad("daemon package %s imports %s: daemon/ serves the controller and the speaker, never the reverse", pkg, imp)
		}
	}
	return out
}

// under says whether pkg is the module's folder dir or inside it.
func under(pkg, dir string) bool {
	p := module + "/" + dir
	return pkg == p || strings.HasPrefix(pkg, p+"/")
}

// ThinMainViolations checks a cmd/*/main.go: short, and importing only its own app
// package and the standard library's process plumbing.
func ThinMainViolations(path string, lines int, imports []string) []string {
	const maxLines = 40
	var out []string
	if lines > maxLines {
		out = append(out, fmt.Sprintf("%s has %d lines: a main parses nothing and calls <pkg>/app.Run or the CLI (at most %d)", path, lines, maxLines))
	}
	allowed := map[string]bool{"context": true, "errors": true, "flag": true, "fmt": true, "os": true, "os/signal": true, "syscall": true}
	for _, imp := range imports {
		if allowed[imp] || strings.HasSuffix(imp, "/app") || imp == module+"/cli" {
			continue
		}
		out = append(out, fmt.Sprintf("%s imports %s: mains import only their app package (or cli) and process plumbing", path, imp))
	}
	return out
}
