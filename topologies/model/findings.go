package model

import (
	"errors"
	"fmt"
)

// Finding is one validation problem: the object and field at fault, what is wrong and how
// to fix it. Resolve joins every finding into one error (errors.Join); errors.As on the
// individual errors recovers them.
type Finding struct {
	Object  string // "node r1", "link r1-r2", "pools", ...
	Field   string // "kind", "endpoints[2]", ...
	Problem string
	Fix     string
}

func (f *Finding) Error() string {
	return fmt.Sprintf("%s: %s: %s (fix: %s)", f.Object, f.Field, f.Problem, f.Fix)
}

// Findings unpacks the findings of an error returned by Resolve or Validate.
func Findings(err error) []*Finding {
	var out []*Finding
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		switch x := e.(type) {
		case *Finding:
			out = append(out, x)
		case interface{ Unwrap() []error }:
			for _, y := range x.Unwrap() {
				walk(y)
			}
		case interface{ Unwrap() error }:
			walk(x.Unwrap())
		}
	}
	walk(err)
	return out
}

type findings struct{ list []error }

func (f *findings) add(object, field, problem, fix string) {
	f.list = append(f.list, &Finding{Object: object, Field: field, Problem: problem, Fix: fix})
}

func (f *findings) err() error {
	if len(f.list) == 0 {
		return nil
	}
	return fmt.Errorf("topology is invalid (%d findings):\n%w", len(f.list), errors.Join(f.list...))
}
