package main

import (
	"encoding/json"
	"fmt"

	"sigs.k8s.io/yaml"
)

// crd is the part of a CustomResourceDefinition the reference is made of.
type crd struct {
	Spec struct {
		Group string `json:"group"`
		Names struct {
			Kind string `json:"kind"`
		} `json:"names"`
		Scope    string    `json:"scope"`
		Versions []version `json:"versions"`
	} `json:"spec"`
}

type version struct {
	Name               string          `json:"name"`
	Served             bool            `json:"served"`
	Storage            bool            `json:"storage"`
	Deprecated         bool            `json:"deprecated"`
	DeprecationWarning string          `json:"deprecationWarning"`
	Columns            []printerColumn `json:"additionalPrinterColumns"`
	Schema             struct {
		OpenAPIV3Schema schema `json:"openAPIV3Schema"`
	} `json:"schema"`
}

type printerColumn struct {
	Name     string `json:"name"`
	JSONPath string `json:"jsonPath"`
	Priority int    `json:"priority"`
}

// schema is the subset of a structural OpenAPI v3 schema that controller-gen writes
// for our types.
type schema struct {
	Type                 string             `json:"type"`
	Format               string             `json:"format"`
	Description          string             `json:"description"`
	Default              json.RawMessage    `json:"default"`
	Enum                 []json.RawMessage  `json:"enum"`
	Minimum              *float64           `json:"minimum"`
	Maximum              *float64           `json:"maximum"`
	MinLength            *int64             `json:"minLength"`
	MaxLength            *int64             `json:"maxLength"`
	MinItems             *int64             `json:"minItems"`
	MaxItems             *int64             `json:"maxItems"`
	Pattern              string             `json:"pattern"`
	Properties           map[string]*schema `json:"properties"`
	Required             []string           `json:"required"`
	Items                *schema            `json:"items"`
	AdditionalProperties *schema            `json:"additionalProperties"`
	ListType             string             `json:"x-kubernetes-list-type"`
	ListMapKeys          []string           `json:"x-kubernetes-list-map-keys"`
	Validations          []struct {
		Rule    string `json:"rule"`
		Message string `json:"message"`
	} `json:"x-kubernetes-validations"`
}

// parseCRDs decodes CRD YAML documents (one CRD each, as controller-gen writes them).
func parseCRDs(docs [][]byte) ([]crd, error) {
	var out []crd
	for i, d := range docs {
		var c crd
		if err := yaml.Unmarshal(d, &c); err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		if c.Spec.Names.Kind == "" {
			return nil, fmt.Errorf("document %d: not a CustomResourceDefinition (no spec.names.kind)", i)
		}
		out = append(out, c)
	}
	return out, nil
}
