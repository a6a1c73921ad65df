package deploy

import (
	"context"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/bgplb/bgplb/testing/cptest"
)

// TestIntegrationAdmissionPolicy applies the ValidatingAdmissionPolicy
// alternative to a real kube-apiserver and checks it refuses what it says it
// refuses, and admits a valid advertisement.
func TestIntegrationAdmissionPolicy(t *testing.T) {
	cp := cptest.Start(t, "..")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := cp.InstallCRDs(ctx, "crds"); err != nil {
		t.Fatal(err)
	}
	a := newApplier(t, cp.RESTConfig())
	for _, ns := range []string{"metallb-system", "elsewhere"} {
		a.apply(ctx, t, obj(map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns}}))
	}
	objs, err := decode(readFile(t, "admission/validatingadmissionpolicy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		a.apply(ctx, t, o)
	}
	adv := func(ns string, spec map[string]any) *unstructured.Unstructured {
		return obj(map[string]any{"apiVersion": "metallb.io/v1beta1", "kind": "BGPAdvertisement",
			"metadata": map[string]any{"name": "adv", "namespace": ns}, "spec": spec})
	}
	create := func(o *unstructured.Unstructured) error {
		_, err := a.resource(t, o).Create(ctx, o, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		return err
	}
	// A policy takes a moment to be loaded by the apiserver: wait for its first refusal.
	deadline := time.Now().Add(30 * time.Second)
	for create(adv("elsewhere", map[string]any{})) == nil {
		if time.Now().After(deadline) {
			t.Fatal("an advertisement outside metallb-system is still admitted 30 s after the policy")
		}
		time.Sleep(250 * time.Millisecond)
	}
	for _, c := range []struct {
		name string
		o    *unstructured.Unstructured
		msg  string
	}{
		{"outside the namespace", adv("elsewhere", map[string]any{}), "from metallb-system only"},
		{"malformed community", adv("metallb-system", map[string]any{"communities": []any{"64512:100:7"}}), "spec.communities"},
		{"aggregation too long", adv("metallb-system", map[string]any{"aggregationLength": int64(33)}), ""},
		{"valid", adv("metallb-system", map[string]any{"communities": []any{"64512:100", "large:1:2:3", "no-export"}, "aggregationLength": int64(32)}), ""},
	} {
		err := create(c.o)
		switch {
		case c.name == "valid" && err != nil:
			t.Errorf("%s: refused: %v", c.name, err)
		case c.name != "valid" && err == nil:
			t.Errorf("%s: admitted", c.name)
		case err != nil && c.msg != "" && !strings.Contains(err.Error(), c.msg):
			t.Errorf("%s: refused without saying %q: %v", c.name, c.msg, err)
		}
	}
}

func obj(m map[string]any) *unstructured.Unstructured { return &unstructured.Unstructured{Object: m} }
