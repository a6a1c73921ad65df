package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// rule is one validation finding as the configuration core writes it: a call
// b.errorf(o, field, code, hint, format, ...) or b.warnf(...) in config.
type rule struct {
	Code, Severity, Field, Hint, Message string
}

// rules reads the findings out of Go source files (name -> contents). Arguments are
// rendered from literals, constants and simple local assignments; what depends on
// the input shows as "…".
func rules(files map[string][]byte) ([]rule, error) {
	fset := token.NewFileSet()
	var parsed []*ast.File
	consts := map[string]ast.Expr{}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		f, err := parser.ParseFile(fset, name, files[name], 0)
		if err != nil {
			return nil, err
		}
		parsed = append(parsed, f)
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.CONST {
				collect(consts, g)
			}
		}
	}
	var out []rule
	for _, f := range parsed {
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			out = append(out, rulesIn(fn.Body, consts)...)
		}
	}
	slices.SortFunc(out, func(a, b rule) int {
		return strings.Compare(a.Code+a.Severity+a.Field+a.Message, b.Code+b.Severity+b.Field+b.Message)
	})
	return slices.Compact(out), nil
}

func rulesIn(body *ast.BlockStmt, consts map[string]ast.Expr) []rule {
	local := maps.Clone(consts)
	var out []rule
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GenDecl:
			collect(local, n)
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE && len(n.Lhs) == 1 && len(n.Rhs) == 1 {
				if id, ok := n.Lhs[0].(*ast.Ident); ok {
					local[id.Name] = n.Rhs[0]
				}
			}
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "errorf" && sel.Sel.Name != "warnf") || len(n.Args) < 5 {
				return true
			}
			sev := "error"
			if sel.Sel.Name == "warnf" {
				sev = "warning"
			}
			r := func(e ast.Expr) string { return verbs.ReplaceAllString(text(e, local), "…") }
			out = append(out, rule{Code: r(n.Args[2]), Severity: sev, Field: r(n.Args[1]), Hint: r(n.Args[3]), Message: r(n.Args[4])})
		}
		return true
	})
	return out
}

// verbs matches fmt verbs, which stand for values only known at run time.
var verbs = regexp.MustCompile(`%[-+# 0]*[0-9]*(\.[0-9]+)?[a-zA-Z]`)

func collect(into map[string]ast.Expr, g *ast.GenDecl) {
	for _, s := range g.Specs {
		if vs, ok := s.(*ast.ValueSpec); ok && len(vs.Names) == len(vs.Values) {
			for i, n := range vs.Names {
				into[n.Name] = vs.Values[i]
			}
		}
	}
}

// text renders a string expression: literals and known names as their text,
// concatenations piece by piece, fmt.Sprintf as its format, idx(field, i) as
// field[…], anything else as "…".
func text(e ast.Expr, names map[string]ast.Expr) string {
	switch e := e.(type) {
	case *ast.BasicLit:
		if s, err := strconv.Unquote(e.Value); err == nil {
			return s
		}
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			return text(e.X, names) + text(e.Y, names)
		}
	case *ast.Ident:
		if v, ok := names[e.Name]; ok && v != e {
			return text(v, withoutName(names, e.Name))
		}
	case *ast.CallExpr:
		switch callee(e) {
		case "fmt.Sprintf":
			return text(e.Args[0], names)
		case "idx":
			return text(e.Args[0], names) + "[…]"
		}
	}
	return "…"
}

func callee(c *ast.CallExpr) string {
	var b bytes.Buffer
	switch f := c.Fun.(type) {
	case *ast.Ident:
		b.WriteString(f.Name)
	case *ast.SelectorExpr:
		if x, ok := f.X.(*ast.Ident); ok {
			fmt.Fprintf(&b, "%s.%s", x.Name, f.Sel.Name)
		}
	}
	return b.String()
}

// withoutName stops a name from expanding into itself (x := x + "...").
func withoutName(m map[string]ast.Expr, name string) map[string]ast.Expr {
	out := maps.Clone(m)
	delete(out, name)
	return out
}

func renderRules(b *bytes.Buffer, rs []rule) {
	b.WriteString(rulesHeader)
	b.WriteString("| code | severity | field | message | hint |\n|---|---|---|---|---|\n")
	for _, r := range rs {
		field := ""
		if r.Field != "" {
			field = "`" + r.Field + "`"
		}
		fmt.Fprintf(b, "| `%s` | %s | %s | %s | %s |\n", r.Code, r.Severity, cell(field), cell(prose(r.Message)), cell(prose(r.Hint)))
	}
}

const rulesHeader = `
<a id="findings"></a>
## Validation findings

What ` + "`bgplb lint`" + `, the controller and every speaker check beyond the schema, as the
configuration core (` + "`config`" + `) reports it. An error makes the whole
configuration invalid: the last valid one stays in force. A warning says what bgplb accepted
and how to write it properly. Filter on the code: messages may be reworded, codes may not.
"…" stands for a value known only from the input.

`
