// Package lint checks a set of manifests as one complete bgplb/MetalLB configuration:
// it runs the configuration core over everything read, adds what only the manifests can
// tell (unknown fields, deprecated Service annotations), and points every finding at the
// FILE:LINE of the object it is about.
package lint

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bgplb/bgplb/config"
	"github.com/bgplb/bgplb/config/manifest"
)

// Options are the settings of one lint run.
type Options struct {
	// Namespace is the product's namespace; "" means config.DefaultNamespace. Objects
	// written without a namespace are linted as if applied with `kubectl apply -n`.
	Namespace string
}

// Finding is a config.Finding placed in the input.
type Finding struct {
	File     string          `json:"file"`
	Line     int             `json:"line"`
	Severity config.Severity `json:"-"`
	Kind     string          `json:"kind"`
	Name     string          `json:"name"`
	Field    string          `json:"field"`
	Code     string          `json:"code"`
	Message  string          `json:"message"`
	Hint     string          `json:"hint"`
}

// Report is the outcome of a lint run: Valid is true when there is no error (warnings
// are allowed).
type Report struct {
	Valid    bool      `json:"valid"`
	Errors   []Finding `json:"errors"`
	Warnings []Finding `json:"warnings"`
	Objects  int       `json:"objects"`
	Skipped  int       `json:"skipped"`
	Files    int       `json:"files"`
}

// Codes of the findings lint itself produces, from manifests that do not fit the API.
// Every other code comes from the configuration core.
const (
	CodeUnknownField   = "unknown-field"
	CodeDuplicateField = "duplicate-field"
	CodeInvalidObject  = "invalid-object"
	CodeUnknownKind    = "unknown-kind"
	CodeSchema         = "schema"
	CodeRedefined      = "object-redefined"
)

// Lint checks set as one whole configuration: anything referenced but not in set is an
// error, because the configuration core sees exactly what the set holds.
func Lint(set *manifest.Set, opts Options) Report {
	ns := opts.Namespace
	if ns == "" {
		ns = config.DefaultNamespace
	}
	var all []Finding
	for _, is := range set.Issues {
		all = append(all, issueFinding(is))
	}
	set, redefs := set.Latest(ns)
	for _, r := range redefs {
		all = append(all, Finding{
			File: r.Earlier.Source.File, Line: r.Earlier.Source.Line, Severity: config.SeverityWarning,
			Kind: r.Earlier.Kind, Name: r.Earlier.Name, Code: CodeRedefined,
			Message: fmt.Sprintf("defined again at %s; as with kubectl apply of the same files, the later definition is the one checked", r.Later.Source),
			Hint:    "keep one definition per object, unless the inputs are meant to be applied in turn",
		})
	}
	_, cfgFindings := config.For(set.Resources(ns), config.Options{Namespace: ns})
	cfgFindings = append(cfgFindings, serviceFindings(set.Services(ns))...)
	for _, f := range cfgFindings {
		all = append(all, place(set, f))
	}
	sortFindings(all, set.Files)

	r := Report{
		Errors: []Finding{}, Warnings: []Finding{},
		Objects: len(set.Objects) + len(redefs), Skipped: len(set.Skipped), Files: len(set.Files),
	}
	for _, f := range all {
		if f.Severity == config.SeverityError {
			r.Errors = append(r.Errors, f)
		} else {
			r.Warnings = append(r.Warnings, f)
		}
	}
	r.Valid = len(r.Errors) == 0
	return r
}

// place finds the object a finding is about. Findings name objects by kind and name;
// namespaced ones may be written "namespace/name" (Services live outside the product's
// namespace, so their name alone may be ambiguous).
func place(set *manifest.Set, f config.Finding) Finding {
	out := Finding{
		Severity: f.Severity, Kind: f.Kind, Name: f.Name, Field: f.Field,
		Code: f.Code, Message: f.Message, Hint: f.Hint,
	}
	o, ok := set.Find(f.Kind, "", f.Name)
	if !ok {
		if ns, name, cut := strings.Cut(f.Name, "/"); cut {
			o, ok = set.Find(f.Kind, ns, name)
		}
	}
	if ok {
		out.File, out.Line = o.Source.File, o.Source.Line
	}
	return out
}

func issueFinding(is manifest.Issue) Finding {
	f := Finding{
		File: is.Source.File, Line: is.Source.Line, Severity: config.SeverityError,
		Kind: is.Kind, Name: is.Name, Field: is.Field, Message: is.Message,
	}
	switch is.Reason {
	case manifest.ReasonUnknownField:
		f.Code = CodeUnknownField
		f.Hint = "check the field's spelling and case (`kubectl explain " + strings.ToLower(is.Kind) + " --recursive` lists them), or remove it"
	case manifest.ReasonDuplicateField:
		f.Code = CodeDuplicateField
		f.Hint = "keep one occurrence of the field"
	case manifest.ReasonUnknownKind:
		f.Code = CodeUnknownKind
		f.Hint = "metallb.io kinds are IPAddressPool, BGPAdvertisement, L2Advertisement, Community and BFDProfile (v1beta1) and BGPPeer (v1beta2, v1beta1 deprecated)"
	case manifest.ReasonSchema:
		f.Code = CodeSchema
		f.Hint = "remove the field to get its default (peerPort 179; no localASN), or set a value of at least 1"
	default:
		f.Code = CodeInvalidObject
		f.Hint = "write the value with the type the API expects (quote strings, leave numbers bare)"
	}
	return f
}

// sortFindings orders findings as a reader walks the input: by file in input order, then
// line, then object and field. Findings that could not be placed come last.
func sortFindings(fs []Finding, files []string) {
	rank := make(map[string]int, len(files))
	for i, f := range files {
		if _, seen := rank[f]; !seen {
			rank[f] = i
		}
	}
	fileRank := func(f Finding) int {
		if r, ok := rank[f.File]; ok {
			return r
		}
		return len(files)
	}
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if ra, rb := fileRank(a), fileRank(b); ra != rb {
			return ra < rb
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return strings.Join([]string{a.Kind, a.Name, a.Field, a.Code, a.Message}, "\x00") <
			strings.Join([]string{b.Kind, b.Name, b.Field, b.Code, b.Message}, "\x00")
	})
}
