package config

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Severity tells whether a finding stops the configuration from being used.
type Severity string

// The two severities. An error makes the whole configuration invalid; a warning says
// what we accepted, what we did with it, and how to write it properly.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Finding is one thing wrong with (or worth knowing about) the configuration. It names
// the object and field so that a user can go straight to the line to fix.
type Finding struct {
	Severity Severity `json:"severity"`
	// Code is a short, stable identifier of the rule (e.g. "localpref-ebgp"), for tests,
	// docs and tools that filter findings; messages may be reworded, codes may not.
	Code    string `json:"code"`
	Kind    string `json:"kind"`
	Name    string `json:"name,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
}

// String renders a finding on one line: "error: BGPPeer/x spec.holdTime: message (hint)".
func (f Finding) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s/%s", f.Severity, f.Kind, f.Name)
	if f.Field != "" {
		b.WriteString(" " + f.Field)
	}
	b.WriteString(": " + f.Message)
	if f.Hint != "" {
		b.WriteString(" (hint: " + f.Hint + ")")
	}
	return b.String()
}

// Findings is every finding of one validation, errors and warnings together.
type Findings []Finding

// Errors returns the findings of severity error.
func (fs Findings) Errors() Findings { return fs.filter(SeverityError) }

// Warnings returns the findings of severity warning.
func (fs Findings) Warnings() Findings { return fs.filter(SeverityWarning) }

// HasErrors reports whether any finding is an error.
func (fs Findings) HasErrors() bool { return len(fs.Errors()) > 0 }

// Err joins the errors into one error, or returns nil when there are none.
func (fs Findings) Err() error {
	var errs []error
	for _, f := range fs.Errors() {
		errs = append(errs, errors.New(f.String()))
	}
	return errors.Join(errs...)
}

// Sorted returns the findings ordered by severity (errors first), kind, name, field
// and message, so that output is stable whatever order the rules ran in.
func (fs Findings) Sorted() Findings {
	out := append(Findings(nil), fs...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Severity != b.Severity {
			return a.Severity == SeverityError
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if a.Field != b.Field {
			return a.Field < b.Field
		}
		return a.Message < b.Message
	})
	return out
}

func (fs Findings) filter(s Severity) Findings {
	var out Findings
	for _, f := range fs {
		if f.Severity == s {
			out = append(out, f)
		}
	}
	return out
}
