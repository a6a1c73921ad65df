package cluster

import (
	"github.com/bgplb/bgplb/api/manifest"
	"github.com/bgplb/bgplb/controller/lint"
	"github.com/bgplb/bgplb/internal/plan"
)

// PlanInput is the planning core's input for applying the documents of newSet to
// cur: the current snapshot, the one that would result (newSet overlaid on cur), the
// findings only lint can give about newSet (fields the API does not have, objects
// that do not decode), and where each new document was written.
func PlanInput(cur Objects, newSet *manifest.Set, opts Options) plan.Input {
	next := Overlay(cur, FromSet(newSet, opts.Namespace))
	in := plan.Input{
		Current: cur.Snapshot(opts),
		Next:    next.Snapshot(opts),
		Origins: map[string]string{},
	}
	for _, o := range newSet.Objects {
		if _, dup := in.Origins[o.Kind+"/"+o.Name]; !dup {
			in.Origins[o.Kind+"/"+o.Name] = o.Source.String()
		}
	}
	in.Extra = documentFindings(newSet, opts.Namespace)
	return in
}

// documentFindings are lint's own findings about the documents themselves; every
// other finding comes from the configuration core on the whole resulting
// configuration (lint alone would call a reference to a current object missing).
func documentFindings(set *manifest.Set, ns string) []plan.Finding {
	var out []plan.Finding
	r := lint.Lint(set, lint.Options{Namespace: ns})
	for _, f := range append(r.Errors, r.Warnings...) {
		switch f.Code {
		case lint.CodeUnknownField, lint.CodeDuplicateField, lint.CodeInvalidObject, lint.CodeUnknownKind:
			pf := plan.Finding{Location: f.Location()}
			pf.Severity, pf.Code, pf.Kind, pf.Name, pf.Field = f.Severity, f.Code, f.Kind, f.Name, f.Field
			pf.Message, pf.Hint = f.Message, f.Hint
			out = append(out, pf)
		}
	}
	return out
}
