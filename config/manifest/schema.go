package manifest

import (
	"encoding/json"
	"fmt"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// zeroFloors are the fields whose CRD minimum is 1 while 0 is also the Go zero
// value (omitempty): an explicit 0 decodes exactly like an absent field, so only the
// raw document shows it. The API server refuses such an object (MetalLB's CRDs and
// ours have these minimums).
var zeroFloors = map[schema.GroupVersionKind][]string{
	{Group: metallbGroup, Version: "v1beta2", Kind: "BGPPeer"}: {"peerPort", "localASN"},
}

// schemaIssues reports the spec fields of zeroFloors written as 0.
func schemaIssues(base Issue, gvk schema.GroupVersionKind, js []byte) []Issue {
	fields := zeroFloors[gvk]
	if len(fields) == 0 {
		return nil
	}
	var doc struct {
		Spec map[string]json.RawMessage `json:"spec"`
	}
	if json.Unmarshal(js, &doc) != nil {
		return nil
	}
	var out []Issue
	for _, f := range fields {
		var v float64
		if raw, ok := doc.Spec[f]; ok && json.Unmarshal(raw, &v) == nil && v == 0 {
			is := base
			is.Field, is.Reason = "spec."+f, ReasonSchema
			is.Message = fmt.Sprintf("%s 0 is below the CRD's minimum of 1; the API server refuses the object", f)
			out = append(out, is)
		}
	}
	return out
}
