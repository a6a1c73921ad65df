package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	apischeme "github.com/bgplb/bgplb/api/scheme"
	"github.com/bgplb/bgplb/api/v1beta2"
	speakerk8s "github.com/bgplb/bgplb/speaker/k8s"
	"github.com/bgplb/bgplb/testing/cptest"
	"github.com/bgplb/bgplb/topologies/controlplane"
)

// testCluster is a real kube-apiserver with bgplb's CRDs, for one test.
type testCluster struct {
	cp *controlplane.ControlPlane
	c  client.Client
}

// startCluster starts a control plane (skipping with the reason when it cannot) and
// stops it when the test ends, failed or not.
func startCluster(t *testing.T, ctx context.Context) *testCluster {
	t.Helper()
	cp := cptest.Start(t, ".")
	if err := cp.InstallCRDs(ctx, crdDir(t)); err != nil {
		t.Fatal(err)
	}
	scheme, err := apischeme.New()
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(cp.RESTConfig(), client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	return &testCluster{cp: cp, c: c}
}

// crdDir copies deploy/crds/metallb.io_*.yaml alone: the directory also holds a
// kustomization.yaml, which InstallCRDs would read as a CRD.
func crdDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files, err := filepath.Glob(filepath.Join("..", "deploy", "crds", "metallb.io_*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no CRDs in deploy/crds: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func (tc *testCluster) create(t *testing.T, ctx context.Context, objs ...client.Object) {
	t.Helper()
	for _, o := range objs {
		if err := tc.c.Create(ctx, o); err != nil {
			t.Fatalf("create %T %s: %v", o, o.GetName(), err)
		}
	}
}

// loadBalancer creates a LoadBalancer Service in default/ and writes what the
// controller would: the ingress IP and the pool annotation (empty ip: pending).
func (tc *testCluster) loadBalancer(t *testing.T, ctx context.Context, name, ip, pool string) {
	t.Helper()
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Selector: map[string]string{"app": name},
			Ports: []corev1.ServicePort{{Port: 80, Protocol: corev1.ProtocolTCP}}}}
	if pool != "" {
		svc.Annotations = map[string]string{speakerk8s.AnnotationPool: pool}
	}
	tc.create(t, ctx, svc)
	if ip == "" {
		return
	}
	svc.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: ip}}
	if err := tc.c.Status().Update(ctx, svc); err != nil {
		t.Fatalf("service %s status: %v", name, err)
	}
}

// endpoints creates the EndpointSlice of a Service with one ready endpoint per node.
func (tc *testCluster) endpoints(t *testing.T, ctx context.Context, svc string, nodes ...string) {
	t.Helper()
	es := &discoveryv1.EndpointSlice{ObjectMeta: metav1.ObjectMeta{Name: svc + "-1", Namespace: "default",
		Labels: map[string]string{discoveryv1.LabelServiceName: svc}}, AddressType: discoveryv1.AddressTypeIPv4}
	for i, n := range nodes {
		ready := true
		es.Endpoints = append(es.Endpoints, discoveryv1.Endpoint{Addresses: []string{"10.244.0." + string(rune('1'+i))},
			NodeName: &n, Conditions: discoveryv1.EndpointConditions{Ready: &ready}})
	}
	tc.create(t, ctx, es)
}

// peerStatus writes node's entry of a BGPPeer's status.nodes as its speaker does
// (speaker/k8s Publisher.applyPeer): server-side apply, field manager
// bgplb-speaker-<node>, so each node owns only its own entry.
func (tc *testCluster) peerStatus(t *testing.T, ctx context.Context, ns, peer string, e v1beta2.BGPPeerNodeStatus) {
	t.Helper()
	raw, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var entry map[string]any
	if err := json.Unmarshal(raw, &entry); err != nil {
		t.Fatal(err)
	}
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": v1beta2.GroupVersion.String(), "kind": "BGPPeer",
		"metadata": map[string]any{"name": peer, "namespace": ns},
		"status":   map[string]any{"nodes": []any{entry}},
	}}
	data, err := json.Marshal(obj.Object)
	if err != nil {
		t.Fatal(err)
	}
	if err := tc.c.Status().Patch(ctx, obj, client.RawPatch(types.ApplyPatchType, data),
		client.FieldOwner(speakerk8s.FieldManager(e.Node)), client.ForceOwnership); err != nil {
		t.Fatalf("BGPPeer %s status for %s: %v", peer, e.Node, err)
	}
}

func node(name string, labels map[string]string) *corev1.Node {
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
}

func namespace(name string) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
}

func since(d time.Duration) *metav1.Time {
	t := metav1.NewTime(time.Now().Add(-d).Truncate(time.Second))
	return &t
}
