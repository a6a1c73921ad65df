package deploy

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	apischeme "github.com/bgplb/bgplb/api/scheme"
	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
	"github.com/bgplb/bgplb/testing/cptest"
)

// TestIntegrationChartSchema is the kubeconform-style check, with the real
// apiserver as the schema: every object the chart renders over the values matrix
// is server-side applied as a dry run with strict field validation, so an unknown
// or misplaced field, a wrong type or a duplicate key fails. Prometheus Operator
// kinds (no CRDs here) are checked for their required fields only.
func TestIntegrationChartSchema(t *testing.T) {
	cp := cptest.Start(t, "..")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	a := newApplier(t, cp.RESTConfig())
	for _, c := range valuesMatrix() {
		t.Run(c.name, func(t *testing.T) {
			_, b := mustRender(t, renderValues(c.values))
			for _, o := range installOrder(b) {
				if o.GroupVersionKind().Group == "monitoring.coreos.com" {
					if _, ok := o.Object["spec"].(map[string]any); !ok || o.GetName() == "" || o.GetNamespace() == "" {
						t.Errorf("%s %s: no name, namespace or spec", o.GetKind(), o.GetName())
					}
					continue
				}
				// Namespaces and CRDs for real (later objects need them); the rest as a dry run.
				real := o.GetKind() == "Namespace" || o.GetKind() == "CustomResourceDefinition"
				data, err := o.MarshalJSON()
				if err != nil {
					t.Fatal(err)
				}
				opts := metav1.PatchOptions{FieldManager: fieldManager, Force: ptrTo(true), FieldValidation: "Strict"}
				if !real {
					opts.DryRun = []string{metav1.DryRunAll}
				}
				if _, err := a.resource(t, o).Patch(ctx, o.GetName(), types.ApplyPatchType, data, opts); err != nil {
					t.Errorf("%s %s/%s refused by the apiserver: %v", o.GetKind(), o.GetNamespace(), o.GetName(), err)
				}
				if o.GetKind() == "CustomResourceDefinition" {
					a.established(ctx, t, o.GetName())
				}
			}
		})
	}
}

func ptrTo[T any](v T) *T { return &v }

// TestIntegrationCRDCompat pins the CRD differences issue 16 fixed, against a
// real apiserver: v1beta1 BGPPeer ASNs are bounded to what uint32 decodes (so one
// object can never break listing the rest), v1beta1 has a status subresource,
// Community names are optional and IPAddressPool addresses may be empty (as in
// MetalLB; config reports them), ServiceBGPStatus identity fields are immutable.
func TestIntegrationCRDCompat(t *testing.T) {
	cp := cptest.Start(t, "..")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := cp.InstallCRDs(ctx, "crds"); err != nil {
		t.Fatal(err)
	}
	s, err := apischeme.New()
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(cp.RESTConfig(), client.Options{Scheme: s})
	if err != nil {
		t.Fatal(err)
	}
	a := newApplier(t, cp.RESTConfig())
	ns := "default"
	create := func(doc string) error {
		var u unstructured.Unstructured
		if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
			t.Fatal(err)
		}
		u.SetNamespace(ns)
		_, err := a.resource(t, &u).Create(ctx, &u, metav1.CreateOptions{})
		return err
	}
	peer := func(name, asn string) string {
		return "apiVersion: metallb.io/v1beta1\nkind: BGPPeer\nmetadata: {name: " + name + "}\nspec: {myASN: " + asn +
			", peerASN: 64512, peerAddress: 192.0.2.1}\n"
	}
	if err := create(peer("max", "4294967295")); err != nil {
		t.Errorf("v1beta1 myASN 4294967295 refused: %v", err)
	}
	for _, bad := range []string{"4294967296", "-1"} {
		if err := create(peer("bad", bad)); err == nil {
			t.Errorf("v1beta1 myASN %s accepted: it cannot decode into uint32", bad)
		}
	}
	var l1 v1beta1.BGPPeerList
	if err := c.List(ctx, &l1, client.InNamespace(ns)); err != nil || len(l1.Items) != 1 || l1.Items[0].Spec.MyASN != 4294967295 {
		t.Errorf("list v1beta1 BGPPeers: %v, %d items", err, len(l1.Items))
	}
	var l2 v1beta2.BGPPeerList
	if err := c.List(ctx, &l2, client.InNamespace(ns)); err != nil || len(l2.Items) != 1 {
		t.Errorf("list v1beta2 BGPPeers: %v, %d items", err, len(l2.Items))
	}
	// v1beta1 serves status as a subresource: a main-resource update does not touch it.
	var p v1beta1.BGPPeer
	if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "max"}, &p); err != nil {
		t.Fatal(err)
	}
	if err := c.Status().Update(ctx, &p); err != nil {
		t.Errorf("v1beta1 BGPPeer status subresource: %v", err)
	}

	if err := create("apiVersion: metallb.io/v1beta1\nkind: Community\nmetadata: {name: c}\nspec:\n  communities:\n  - value: '64512:1'\n  - {name: a, value: '64512:2'}\n  - {name: a, value: '64512:3'}\n"); err != nil {
		t.Errorf("Community without a name or with a repeated one refused (MetalLB accepts it; config reports it): %v", err)
	}
	if err := create("apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: empty}\nspec: {addresses: []}\n"); err != nil {
		t.Errorf("IPAddressPool with no addresses refused (MetalLB accepts it; config reports pool-empty): %v", err)
	}

	st := &v1beta1.ServiceBGPStatus{ObjectMeta: metav1.ObjectMeta{Namespace: ns, GenerateName: "bgp-"}}
	if err := c.Create(ctx, st); err != nil {
		t.Fatal(err)
	}
	st.Status = v1beta1.MetalLBServiceBGPStatus{Node: "n1", ServiceName: "web", ServiceNamespace: "default", Peers: []string{"r1"}}
	if err := c.Status().Update(ctx, st); err != nil {
		t.Fatalf("ServiceBGPStatus status: %v", err)
	}
	st.Status.Node = "n2"
	if err := c.Status().Update(ctx, st); err == nil || !strings.Contains(err.Error(), "Value is immutable") {
		t.Errorf("ServiceBGPStatus node changed: %v", err)
	}

	cs := &v1beta1.ConfigurationState{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "controller"}}
	if err := c.Create(ctx, cs); err != nil {
		t.Fatal(err)
	}
	cs.Status = v1beta1.ConfigurationStateStatus{Result: v1beta1.ConfigurationStateInvalid, ErrorSummary: "boom",
		Conditions: []metav1.Condition{{Type: v1beta1.ConditionPoolReconcilerValid, Status: metav1.ConditionFalse,
			Reason: v1beta1.ReasonConfigurationError, Message: "configuration error: boom", LastTransitionTime: metav1.Now()}}}
	if err := c.Status().Update(ctx, cs); err != nil {
		t.Errorf("ConfigurationState with errorSummary and a condition: %v", err)
	}
	raw, _ := json.Marshal(cs.Status)
	if !strings.Contains(string(raw), `"errorSummary":"boom"`) {
		t.Errorf("status JSON %s lacks errorSummary", raw)
	}
}
