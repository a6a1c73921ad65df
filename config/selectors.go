package config

import (
	"fmt"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// selectors converts a list of label selectors that are ORed together (nodeSelectors,
// namespaceSelectors, serviceSelectors, ipAddressPoolSelectors). It rejects what
// MetalLB rejects: invalid operators, keys or values (metav1.LabelSelectorAsSelector),
// duplicate values inside one expression, duplicate expressions inside one selector
// and duplicate selectors in the list. The result holds only the valid selectors.
func (r *report) selectors(o ref, field string, in []metav1.LabelSelector) []labels.Selector {
	var out []labels.Selector
	seen := map[string]int{}
	for i := range in {
		f := idx(field, i)
		if !r.expressionsUnique(o, f, in[i].MatchExpressions) {
			continue
		}
		sel, err := metav1.LabelSelectorAsSelector(&in[i])
		if err != nil {
			r.errorf(o, f, "selector-invalid",
				"operators are In, NotIn (with values), Exists, DoesNotExist (without values); keys and values must be valid label keys and values",
				"invalid label selector: %v", err)
			continue
		}
		// The canonical string sorts requirements, so two selectors that say the same
		// thing in a different order are caught too.
		key := sel.String()
		if j, dup := seen[key]; dup {
			r.errorf(o, f, "selector-duplicate", "remove one of the two entries",
				"selector %q repeats %s", key, idx(field, j))
			continue
		}
		seen[key] = i
		out = append(out, sel)
	}
	return out
}

func (r *report) expressionsUnique(o ref, field string, exprs []metav1.LabelSelectorRequirement) bool {
	ok := true
	seen := map[string]int{}
	for j, e := range exprs {
		f := idx(field+".matchExpressions", j)
		for k, v := range e.Values {
			if slices.Index(e.Values, v) != k {
				r.errorf(o, idx(f+".values", k), "selector-duplicate", "list each value once",
					"value %q appears more than once in the expression on %q", v, e.Key)
				ok = false
			}
		}
		vals := slices.Clone(e.Values)
		slices.Sort(vals)
		key := fmt.Sprintf("%s %s %q", e.Key, e.Operator, vals)
		if p, dup := seen[key]; dup {
			r.errorf(o, f, "selector-duplicate", "remove one of the two expressions",
				"expression repeats %s", idx(field+".matchExpressions", p))
			ok = false
		}
		seen[key] = j
	}
	return ok
}

// anySelects reports whether any of sels matches set. An empty list means "no
// restriction" and matches everything, as in MetalLB.
func anySelects(sels []labels.Selector, set labels.Set) bool {
	if len(sels) == 0 {
		return true
	}
	for _, s := range sels {
		if s.Matches(set) {
			return true
		}
	}
	return false
}

// selectsEverything reports whether sels restrict nothing.
func selectsEverything(sels []labels.Selector) bool {
	for _, s := range sels {
		if s.Empty() {
			return true
		}
	}
	return len(sels) == 0
}

// selectorStrings renders selectors for comparisons and messages.
func selectorStrings(sels []labels.Selector) []string {
	out := make([]string, len(sels))
	for i, s := range sels {
		out[i] = s.String()
	}
	slices.Sort(out)
	return out
}
