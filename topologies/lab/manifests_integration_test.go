package lab

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/testing/cptest"
)

// `bgplb lab apply` and the e2e runner apply examples/guide/ as users would:
// every kind in it, namespaced or not, twice without harm, deleted twice too.
func TestIntegrationManifests(t *testing.T) {
	ctx := context.Background()
	cp := cptest.Start(t, repo)
	if err := cp.InstallCRDs(ctx, filepath.Join(repo, "deploy", "crds")); err != nil {
		t.Fatal(err)
	}
	c, err := newClient(cp.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	ns := "apiVersion: v1\nkind: Namespace\nmetadata: {name: metallb-system}\n"
	if _, err := ApplyManifests(ctx, c, FieldManager, []byte(ns)); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(repo, "examples", "guide", "basic", "*.yaml"))
	var docs []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, string(data))
	}
	basic := []byte(strings.Join(docs, "\n---\n"))
	for range 2 {
		done, err := ApplyManifests(ctx, c, FieldManager, basic)
		if err != nil {
			t.Fatal(err)
		}
		if len(done) != 6 || !strings.Contains(strings.Join(done, ","), "IPAddressPool metallb-system/production-pool") {
			t.Fatalf("applied %v", done)
		}
	}
	var pool v1beta1.IPAddressPool
	if err := c.Get(ctx, client.ObjectKey{Namespace: "metallb-system", Name: "production-pool"}, &pool); err != nil || pool.Spec.Addresses[0] != "198.51.100.0/24" {
		t.Fatalf("pool: %+v %v", pool.Spec, err)
	}
	// A namespaced object without a namespace lands in the product's.
	if _, err := ApplyManifests(ctx, c, FieldManager, []byte("apiVersion: metallb.io/v1beta1\nkind: Community\nmetadata: {name: bare}\n")); err != nil {
		t.Fatal(err)
	}
	if err := c.Get(ctx, client.ObjectKey{Namespace: "metallb-system", Name: "bare"}, &v1beta1.Community{}); err != nil {
		t.Errorf("bare Community: %v", err)
	}
	for range 2 {
		if _, err := DeleteManifests(ctx, c, basic); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Get(ctx, client.ObjectKey{Namespace: "default", Name: "nginx-test"}, &appsv1.Deployment{}); !apierrors.IsNotFound(err) {
		t.Errorf("Deployment after delete: %v", err)
	}
	// Errors name the document or the object.
	if _, err := ApplyManifests(ctx, c, FieldManager, []byte("kind: [\n")); err == nil || !strings.Contains(err.Error(), "manifest 1") {
		t.Errorf("bad YAML: %v", err)
	}
	_, err = ApplyManifests(ctx, c, FieldManager, []byte("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n"))
	if err == nil || !strings.Contains(err.Error(), "Widget w") {
		t.Errorf("unknown kind: %v", err)
	}
}
