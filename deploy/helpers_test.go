package deploy

import (
	"fmt"
	"slices"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// rule is one RBAC policy rule.
type rule struct{ groups, resources, verbs, names []string }

func rules(role *unstructured.Unstructured) []rule {
	rs, _, _ := unstructured.NestedSlice(role.Object, "rules")
	var out []rule
	for _, r := range rs {
		m := r.(map[string]any)
		out = append(out, rule{groups: strs(m["apiGroups"]), resources: strs(m["resources"]), verbs: strs(m["verbs"]), names: strs(m["resourceNames"])})
	}
	return out
}

// nested walks maps, returning an empty map when a step is missing.
func nested(m map[string]any, path ...string) map[string]any {
	for _, p := range path {
		next, ok := m[p].(map[string]any)
		if !ok {
			return map[string]any{}
		}
		m = next
	}
	return m
}

func container(t *testing.T, podSpec map[string]any) map[string]any {
	t.Helper()
	cs, _ := podSpec["containers"].([]any)
	if len(cs) != 1 {
		t.Fatalf("%d containers, want 1", len(cs))
	}
	return cs[0].(map[string]any)
}

func str(v any, key string) string {
	m, _ := v.(map[string]any)
	s, _ := m[key].(string)
	return s
}

// num reads an integer field that JSON decoding may have made int64 or float64.
func num(v any, key string) int64 {
	m, _ := v.(map[string]any)
	switch n := m[key].(type) {
	case int64:
		return n
	case float64:
		return int64(n)
	case int:
		return int64(n)
	}
	return -1
}

func strs(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, x := range l {
		out = append(out, fmt.Sprint(x))
	}
	return out
}

func fmtList(v any, key string) []string {
	l, _ := v.([]any)
	var out []string
	for _, x := range l {
		out = append(out, str(x, key))
	}
	return out
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
