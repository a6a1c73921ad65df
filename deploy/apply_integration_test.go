package deploy

import (
	"context"
	"slices"
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"

	"github.com/bgplb/bgplb/testing/cptest"
)

const fieldManager = "bgplb-deploy-test"

// TestIntegrationDeployApply server-side-applies every installation (both kustomize
// overlays and the chart, default and with every value moved) to a real
// kube-apiserver, one after another on the same cluster as an operator upgrading
// would, then reads each object back and checks the same facts as on the rendered
// form. ServiceMonitors need the Prometheus Operator's CRDs, which this apiserver
// does not have: they are checked as rendered only, and the test says so.
func TestIntegrationDeployApply(t *testing.T) {
	cp := cptest.Start(t, "..")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	a := newApplier(t, cp.RESTConfig())
	for _, in := range installs() {
		t.Run(in.name, func(t *testing.T) {
			_, b := mustRender(t, in.render)
			b = installOrder(b)
			var back bundle
			skipped := 0
			t.Cleanup(func() { a.uninstall(context.Background(), t, back) })
			for _, o := range b {
				if o.GetKind() == "ServiceMonitor" {
					skipped++
					continue
				}
				back = append(back, a.apply(ctx, t, o))
				if o.GetKind() == "CustomResourceDefinition" {
					a.established(ctx, t, o.GetName())
				}
			}
			if skipped > 0 {
				t.Logf("%d ServiceMonitors not applied: no monitoring.coreos.com CRDs on this apiserver (checked as rendered)", skipped)
				in.monitors = false
			}
			checkFacts(t, in, back)
		})
	}
}

// kindOrder is the order `helm install` creates kinds in (namespaces and CRDs
// first, workloads last); kinds not listed go after them.
var kindOrder = []string{"Namespace", "CustomResourceDefinition", "ServiceAccount", "Secret", "ConfigMap",
	"ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Service", "DaemonSet", "Deployment", "PodDisruptionBudget"}

func installOrder(b bundle) bundle {
	rank := func(o *unstructured.Unstructured) int {
		if i := slices.Index(kindOrder, o.GetKind()); i >= 0 {
			return i
		}
		return len(kindOrder)
	}
	out := slices.Clone(b)
	slices.SortStableFunc(out, func(x, y *unstructured.Unstructured) int { return rank(x) - rank(y) })
	return out
}

// applier applies unstructured objects with server-side apply, mapping kinds to
// resources through discovery (reset after CRDs are established).
type applier struct {
	dyn    dynamic.Interface
	mapper *restmapper.DeferredDiscoveryRESTMapper
}

func newApplier(t *testing.T, cfg *rest.Config) *applier {
	t.Helper()
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &applier{dyn: dyn, mapper: restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))}
}

// apply server-side-applies o and returns the object as the apiserver stored it.
func (a *applier) apply(ctx context.Context, t *testing.T, o *unstructured.Unstructured) *unstructured.Unstructured {
	t.Helper()
	ri := a.resource(t, o)
	data, err := o.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	force := true
	got, err := ri.Patch(ctx, o.GetName(), types.ApplyPatchType, data, metav1.PatchOptions{FieldManager: fieldManager, Force: &force})
	if err != nil {
		t.Fatalf("apply %s %s/%s: %v", o.GetKind(), o.GetNamespace(), o.GetName(), err)
	}
	return got
}

// resource is the client for o's kind, found through discovery (which is reset
// once when the kind is new: a CRD applied just before).
func (a *applier) resource(t *testing.T, o *unstructured.Unstructured) dynamic.ResourceInterface {
	t.Helper()
	gvk := o.GroupVersionKind()
	m, err := a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		a.mapper.Reset()
		if m, err = a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version); err != nil {
			t.Fatalf("%s %s: no resource for it on the apiserver: %v", gvk.Kind, o.GetName(), err)
		}
	}
	if m.Scope.Name() == "namespace" {
		return a.dyn.Resource(m.Resource).Namespace(o.GetNamespace())
	}
	return a.dyn.Resource(m.Resource)
}

// established waits until the named CRD serves its resources.
func (a *applier) established(ctx context.Context, t *testing.T, name string) {
	t.Helper()
	crds := a.dyn.Resource(schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"})
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		u, err := crds.Get(ctx, name, metav1.GetOptions{})
		if err == nil {
			var crd apiextensionsv1.CustomResourceDefinition
			if err := fromUnstructured(u, &crd); err == nil {
				for _, c := range crd.Status.Conditions {
					if c.Type == apiextensionsv1.Established && c.Status == apiextensionsv1.ConditionTrue {
						return
					}
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("CRD %s not Established after 30s", name)
}

func fromUnstructured(u *unstructured.Unstructured, into any) error {
	return runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, into)
}

// uninstall deletes what apply created, newest first, and checks it is gone. CRDs
// and Namespaces stay: the next installation shares them, and a namespace would
// never finish terminating without kube-controller-manager.
func (a *applier) uninstall(ctx context.Context, t *testing.T, objs bundle) {
	for i := len(objs) - 1; i >= 0; i-- {
		o := objs[i]
		if k := o.GetKind(); k == "CustomResourceDefinition" || k == "Namespace" {
			continue
		}
		ri := a.resource(t, o)
		if err := ri.Delete(ctx, o.GetName(), metav1.DeleteOptions{}); err != nil {
			t.Errorf("uninstall %s %s/%s: %v", o.GetKind(), o.GetNamespace(), o.GetName(), err)
			continue
		}
		if _, err := ri.Get(ctx, o.GetName(), metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("%s %s/%s still there after delete (err %v)", o.GetKind(), o.GetNamespace(), o.GetName(), err)
		}
	}
}
