package controlplane

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apiextensions "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

const ns = "metallb-system"

// TestIntegrationControlPlane proves deploy/crds against the real apiserver:
// the CRDs install, valid objects of every kind round-trip, BGPPeer converts
// between v1beta1 and v1beta2 and is stored as v1beta2, every CEL rule rejects
// what it should, and kubectl's printer columns are served.
func TestIntegrationControlPlane(t *testing.T) {
	cp := startForTest(t, "")
	t.Logf("apiserver ready in %v (first start in this test)", cp.StartupDuration())
	ctx := t.Context()
	if err := cp.InstallCRDs(ctx, crdDir); err != nil {
		t.Fatalf("InstallCRDs: %v", err)
	}
	cs := kubernetes.NewForConfigOrDie(cp.RESTConfig())
	if _, err := cs.CoreV1().Namespaces().Create(ctx,
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	dyn := dynamic.NewForConfigOrDie(cp.RESTConfig())

	t.Run("valid objects of every kind round-trip", func(t *testing.T) {
		kinds := map[string]bool{}
		for _, obj := range readObjects(t, "testdata/valid.yaml") {
			kinds[obj.GetKind()] = true
			res := dyn.Resource(gvr(t, obj.GetAPIVersion(), obj.GetKind())).Namespace(ns)
			if _, err := res.Create(ctx, obj, metav1.CreateOptions{}); err != nil {
				t.Errorf("create %s %s: %v", obj.GetKind(), obj.GetName(), err)
				continue
			}
			got, err := res.Get(ctx, obj.GetName(), metav1.GetOptions{})
			if err != nil {
				t.Errorf("get %s %s: %v", obj.GetKind(), obj.GetName(), err)
				continue
			}
			for _, d := range subset(obj.GetKind()+"/"+obj.GetName(), obj.Object["spec"], got.Object["spec"]) {
				t.Error(d)
			}
		}
		for kind := range resources(t) {
			if !kinds[kind] {
				t.Errorf("testdata/valid.yaml has no %s: add one", kind)
			}
		}
	})

	t.Run("BGPPeer converts between versions and is stored as v1beta2", func(t *testing.T) {
		for _, c := range []struct{ name, readAs, peer string }{
			{"legacy", "metallb.io/v1beta2", "203.0.113.1"}, // written as v1beta1
			{"dc1-r1", "metallb.io/v1beta1", "192.0.2.1"},   // written as v1beta2
		} {
			got, err := dyn.Resource(gvr(t, c.readAs, "BGPPeer")).Namespace(ns).Get(ctx, c.name, metav1.GetOptions{})
			if err != nil {
				t.Fatalf("read %s as %s: %v", c.name, c.readAs, err)
			}
			addr, _, _ := unstructured.NestedString(got.Object, "spec", "peerAddress")
			if got.GetAPIVersion() != c.readAs || addr != c.peer {
				t.Errorf("%s read as %s: got apiVersion %s peerAddress %q, want %s %q",
					c.name, c.readAs, got.GetAPIVersion(), addr, c.readAs, c.peer)
			}
			if stored := etcdAPIVersion(t, cp, "/registry/metallb.io/bgppeers/"+ns+"/"+c.name); stored != "metallb.io/v1beta2" {
				t.Errorf("%s is stored in etcd as %q, want metallb.io/v1beta2", c.name, stored)
			}
		}
		crd, err := apiextensions.NewForConfigOrDie(cp.RESTConfig()).ApiextensionsV1().
			CustomResourceDefinitions().Get(ctx, "bgppeers.metallb.io", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(crd.Status.StoredVersions, []string{"v1beta2"}) {
			t.Errorf("storedVersions = %v, want [v1beta2]", crd.Status.StoredVersions)
		}
	})

	t.Run("CEL rules reject invalid BGPPeers", func(t *testing.T) {
		testCELRules(t, dyn.Resource(gvr(t, "metallb.io/v1beta2", "BGPPeer")).Namespace(ns))
	})

	t.Run("enableGracefulRestart is immutable", func(t *testing.T) {
		testGracefulRestartImmutable(t, dyn.Resource(gvr(t, "metallb.io/v1beta2", "BGPPeer")).Namespace(ns))
	})

	t.Run("printer columns are served", func(t *testing.T) {
		testPrinterColumns(t, cp)
	})
}

// etcdAPIVersion reads key straight from etcd (its JSON gateway) and returns
// the apiVersion the apiserver stored, proving the storage version without
// trusting the apiserver's own account of it.
func etcdAPIVersion(t *testing.T, cp *ControlPlane, key string) string {
	t.Helper()
	req, _ := json.Marshal(map[string]string{"key": base64.StdEncoding.EncodeToString([]byte(key))})
	resp, err := http.Post(cp.EtcdURL()+"/v3/kv/range", "application/json", bytes.NewReader(req))
	if err != nil {
		t.Fatalf("etcd range %s: %v", key, err)
	}
	defer resp.Body.Close()
	var out struct {
		KVs []struct{ Value string } `json:"kvs"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out.KVs) != 1 {
		t.Fatalf("etcd range %s: %d values, err %v", key, len(out.KVs), err)
	}
	raw, err := base64.StdEncoding.DecodeString(out.KVs[0].Value)
	if err != nil {
		t.Fatal(err)
	}
	var obj struct{ APIVersion string }
	if err := json.Unmarshal(raw, &obj); err != nil {
		t.Fatalf("etcd value of %s is not JSON: %v", key, err)
	}
	return obj.APIVersion
}

func testPrinterColumns(t *testing.T, cp *ControlPlane) {
	ctx := t.Context()
	crd, err := apiextensions.NewForConfigOrDie(cp.RESTConfig()).ApiextensionsV1().
		CustomResourceDefinitions().Get(ctx, "bgppeers.metallb.io", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Address", "ASN", "BFD Profile", "Multi Hops", "Established", "Age"}
	for _, v := range crd.Spec.Versions {
		if v.Name != "v1beta2" {
			continue
		}
		var names []string
		for _, c := range v.AdditionalPrinterColumns {
			names = append(names, c.Name)
		}
		if !slices.Equal(names, want) {
			t.Errorf("v1beta2 printer columns = %v, want %v", names, want)
		}
	}

	// What `kubectl get bgppeers` asks for: the server renders the table.
	hc, err := rest.HTTPClientFor(cp.RESTConfig())
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet,
		cp.RESTConfig().Host+"/apis/metallb.io/v1beta2/namespaces/"+ns+"/bgppeers", nil)
	req.Header.Set("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var table metav1.Table
	if err := json.Unmarshal(body, &table); err != nil || table.Kind != "Table" {
		t.Fatalf("not a Table (%v): %.300s", err, body)
	}
	var cols []string
	for _, c := range table.ColumnDefinitions {
		cols = append(cols, c.Name)
	}
	if !slices.Equal(cols, append([]string{"Name"}, want...)) {
		t.Errorf("table columns = %v, want Name + %v", cols, want)
	}
	var row string
	for _, r := range table.Rows {
		if fmt.Sprint(r.Cells[0]) == "dc1-r1" {
			row = fmt.Sprint(r.Cells)
		}
	}
	if !strings.Contains(row, "192.0.2.1") || !strings.Contains(row, "64601") || !strings.Contains(row, "fast") {
		t.Errorf("row of dc1-r1 = %q, want its address, ASN and BFD profile", row)
	}
}

// isInvalid reports whether err is the apiserver's 422 carrying msg.
func isInvalid(err error, msg string) bool {
	return apierrors.IsInvalid(err) && strings.Contains(err.Error(), msg)
}
