package clab

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"
)

const schemaURL = "https://containerlab.dev/clab.schema.json"

// kindsNewerThanSchema are containerlab kinds this package emits that the committed
// schema copy predates (see testdata/SCHEMA-SOURCE.md). They are added to the copy's
// node kind enum in memory, and only these; once the copy is refreshed from a release
// that has them, the addition is a no-op.
var kindsNewerThanSchema = []string{KindVyOS}

// loadTopologySchema compiles testdata/clab.schema.json (draft-07) with the kinds above added.
func loadTopologySchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "clab.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("schema copy is not JSON: %v", err)
	}
	kind := dig(t, doc, "definitions", "node-config", "properties", "kind")
	enum, _ := kind["enum"].([]any)
	for _, k := range kindsNewerThanSchema {
		if slices.Contains(enum, any(k)) {
			t.Logf("schema copy already lists kind %s: drop it from kindsNewerThanSchema", k)
			continue
		}
		enum = append(enum, k)
	}
	kind["enum"] = enum

	c := jsonschema.NewCompiler()
	if err := c.AddResource(schemaURL, doc); err != nil {
		t.Fatalf("add schema: %v", err)
	}
	sch, err := c.Compile(schemaURL)
	if err != nil {
		t.Fatalf("compile containerlab schema: %v", err)
	}
	return sch
}

func dig(t *testing.T, m map[string]any, keys ...string) map[string]any {
	t.Helper()
	for _, k := range keys {
		next, ok := m[k].(map[string]any)
		if !ok {
			t.Fatalf("schema copy has no object at %s: its layout changed", strings.Join(keys, "."))
		}
		m = next
	}
	return m
}

// instance converts rendered YAML to the JSON value the validator checks, exactly as
// containerlab's own schema check (and editors using the schema) see the file.
func instance(t *testing.T, y []byte) any {
	t.Helper()
	j, err := yaml.YAMLToJSON(y)
	if err != nil {
		t.Fatalf("rendered YAML does not parse: %v", err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestRenderedTopologiesMatchContainerlabSchema(t *testing.T) {
	sch := loadTopologySchema(t)
	for _, clabCreates := range []bool{true, false} {
		out, err := RenderTopology(sampleTopology(t, clabCreates))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(instance(t, out)); err != nil {
			t.Errorf("rendered topology (k8s-kind node: %v) fails containerlab's schema:\n%v", clabCreates, err)
		}
	}
}

// The schema check must be able to fail: each case breaks the rendered file the way a
// renderer bug would, and the schema must reject it.
func TestContainerlabSchemaRejectsBrokenTopologies(t *testing.T) {
	sch := loadTopologySchema(t)
	base, err := RenderTopology(sampleTopology(t, true))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		mutate func(doc map[string]any)
	}{
		{"bgplb kind instead of a containerlab kind", func(d map[string]any) {
			node(d, "r1")["kind"] = "frr"
		}},
		{"misspelt field", func(d map[string]any) {
			r := node(d, "r2")
			r["startup_config"] = r["startup-config"]
			delete(r, "startup-config")
		}},
		{"endpoint without an interface", func(d map[string]any) {
			links := d["topology"].(map[string]any)["links"].([]any)
			links[0].(map[string]any)["endpoints"] = []any{"r1", "r2:eth1"}
		}},
		{"binds given as a string", func(d map[string]any) {
			node(d, "r1")["binds"] = "r1/frr.conf:/etc/frr/frr.conf"
		}},
		{"unknown top-level section", func(d map[string]any) {
			d["routers"] = map[string]any{}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j, err := yaml.YAMLToJSON(base)
			if err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := json.Unmarshal(j, &doc); err != nil {
				t.Fatal(err)
			}
			tc.mutate(doc)
			broken, _ := json.Marshal(doc)
			if err := sch.Validate(instance(t, broken)); err == nil {
				t.Errorf("schema accepted a broken topology:\n%s", broken)
			}
		})
	}
}

func node(doc map[string]any, name string) map[string]any {
	return doc["topology"].(map[string]any)["nodes"].(map[string]any)[name].(map[string]any)
}
