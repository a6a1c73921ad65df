package manifest

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
)

const multiDoc = `# leading comment, no document yet
---
# pool.yaml
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata:
  name: pool-a
  namespace: metallb-system
spec:
  addresses: ["198.51.100.0/24"]
---
---   # an empty document between two separators
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: {name: peer-a, namespace: metallb-system}
spec: {myASN: 64513, peerASN: 64512, peerAddress: 192.0.2.1, holdTime: 90s}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
---
apiVersion: v1
kind: Secret
metadata: {name: s, namespace: metallb-system}
type: kubernetes.io/basic-auth
stringData: {password: hunter2}
...
`

func TestDecodeMultiDocumentKeepsLines(t *testing.T) {
	set, err := Decode(strings.NewReader(multiDoc), "all.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		kind, name string
		line       int
	}{
		{"IPAddressPool", "pool-a", 4},
		{"BGPPeer", "peer-a", 13},
		{"Secret", "s", 22},
	}
	if len(set.Objects) != len(want) {
		t.Fatalf("got %d objects, want %d: %+v", len(set.Objects), len(want), set.Objects)
	}
	for i, w := range want {
		o := set.Objects[i]
		if o.Kind != w.kind || o.Name != w.name || o.Source != (Source{File: "all.yaml", Line: w.line}) {
			t.Errorf("object %d = %s/%s at %s, want %s/%s at all.yaml:%d", i, o.Kind, o.Name, o.Source, w.kind, w.name, w.line)
		}
	}
	if len(set.Skipped) != 1 || set.Skipped[0].Kind != "Deployment" || set.Skipped[0].Source.Line != 18 {
		t.Errorf("skipped = %+v, want the Deployment at line 18", set.Skipped)
	}
	if len(set.Issues) != 0 {
		t.Errorf("issues = %v, want none", set.Issues)
	}
	peer, ok := set.Objects[1].Object.(*v1beta2.BGPPeer)
	if !ok || peer.Spec.ASN != 64512 || peer.Spec.HoldTime == nil || peer.Spec.HoldTime.Duration.Seconds() != 90 {
		t.Errorf("peer not decoded into v1beta2.BGPPeer with its spec: %#v", set.Objects[1].Object)
	}
	secret := set.Objects[2].Object.(*corev1.Secret)
	if string(secret.Data["password"]) != "hunter2" || secret.StringData != nil {
		t.Errorf("stringData not merged into data as the API server does: %+v", secret)
	}
}

func TestDecodeStrictReportsUnknownFieldsAndKeepsObject(t *testing.T) {
	in := `apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: {name: p, namespace: metallb-system}
spec:
  myASN: 64513
  peerASN: 64512
  peerAdress: 192.0.2.1
  nodeSelectors:
  - matchLabelz: {a: b}
`
	set, err := Decode(strings.NewReader(in), "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Objects) != 1 {
		t.Fatalf("the object must still be decoded, got %d objects", len(set.Objects))
	}
	fields := map[string]bool{}
	for _, is := range set.Issues {
		if is.Reason != ReasonUnknownField || is.Kind != "BGPPeer" || is.Name != "p" || is.Source.Line != 1 {
			t.Errorf("unexpected issue %+v", is)
		}
		fields[is.Field] = true
	}
	for _, f := range []string{"spec.peerAdress", "spec.nodeSelectors[0].matchLabelz"} {
		if !fields[f] {
			t.Errorf("no issue naming %s; issues: %v", f, set.Issues)
		}
	}
}

func TestDecodeIssuesForMisfitDocuments(t *testing.T) {
	tests := []struct {
		name, in string
		reason   Reason
		field    string
		kept     bool
	}{
		{"wrong value type", "apiVersion: metallb.io/v1beta2\nkind: BGPPeer\nmetadata: {name: p}\nspec: {myASN: \"many\"}\n", ReasonInvalid, "spec.myASN", false},
		{"unknown metallb kind", "apiVersion: metallb.io/v1beta1\nkind: BGPPeerr\nmetadata: {name: p}\n", ReasonUnknownKind, "", false},
		{"wrong metallb version", "apiVersion: metallb.io/v1beta2\nkind: IPAddressPool\nmetadata: {name: p}\n", ReasonUnknownKind, "", false},
		{"case matters", "apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: p}\nspec: {Addresses: [198.51.100.0/24]}\n", ReasonUnknownField, "spec.Addresses", true},
		{"explicit peerPort 0 (CRD minimum 1)", "apiVersion: metallb.io/v1beta2\nkind: BGPPeer\nmetadata: {name: p}\nspec: {myASN: 1, peerASN: 2, peerAddress: 192.0.2.1, peerPort: 0}\n", ReasonSchema, "spec.peerPort", true},
		{"explicit localASN 0 (CRD minimum 1)", "apiVersion: metallb.io/v1beta2\nkind: BGPPeer\nmetadata: {name: p}\nspec: {myASN: 1, peerASN: 2, peerAddress: 192.0.2.1, localASN: 0}\n", ReasonSchema, "spec.localASN", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, err := Decode(strings.NewReader(tt.in), "f.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if len(set.Issues) != 1 || set.Issues[0].Reason != tt.reason || set.Issues[0].Name != "p" || set.Issues[0].Field != tt.field {
				t.Fatalf("issues = %+v, want one %s issue on p field %q", set.Issues, tt.reason, tt.field)
			}
			if kept := len(set.Objects) == 1; kept != tt.kept {
				t.Errorf("object kept = %v, want %v", kept, tt.kept)
			}
		})
	}
}

func TestDecodeSkipsForeignKinds(t *testing.T) {
	in := `apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: m}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
---
apiVersion: metallb.io/v1beta1
kind: MetalLB
metadata: {name: operator}
`
	set, err := Decode(strings.NewReader(in), "f.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Objects) != 0 || len(set.Issues) != 0 || len(set.Skipped) != 3 {
		t.Errorf("got %d objects, %d issues, %d skipped; want 0, 0, 3", len(set.Objects), len(set.Issues), len(set.Skipped))
	}
}

func TestDecodeErrorsNameFileAndLine(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"broken YAML in second document",
			"apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: [b\n",
			"f.yaml:8: invalid YAML"},
		{"duplicate key", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\nkind: Node\n", "f.yaml:4: invalid YAML"},
		{"not an object", "- just\n- a list\n", "f.yaml:1: document is not a Kubernetes object"},
		{"no kind", "apiVersion: v1\nmetadata: {name: a}\n", "f.yaml:1: document is not a Kubernetes object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(strings.NewReader(tt.in), "f.yaml")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestDecodeList(t *testing.T) {
	in := `apiVersion: v1
kind: List
items:
- apiVersion: metallb.io/v1beta1
  kind: Community
  metadata: {name: c}
  spec: {communities: [{name: x, value: "64512:1"}]}
- apiVersion: v1
  kind: Node
  metadata: {name: n1}
`
	set, err := Decode(strings.NewReader(in), "list.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Objects) != 2 {
		t.Fatalf("got %d objects from the List, want 2", len(set.Objects))
	}
	if c, ok := set.Objects[0].Object.(*v1beta1.Community); !ok || c.Spec.Communities[0].Value != "64512:1" {
		t.Errorf("first item = %#v", set.Objects[0].Object)
	}
}

func TestResourcesDefaultsNamespaceWithoutMutatingSet(t *testing.T) {
	in := `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: p}
spec: {addresses: [198.51.100.0/24]}
---
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: q, namespace: elsewhere}
---
apiVersion: v1
kind: Node
metadata: {name: n1}
---
apiVersion: v1
kind: Service
metadata: {name: svc}
`
	set, err := Decode(strings.NewReader(in), "f.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r := set.Resources("metallb-system")
	if len(r.Pools) != 2 || r.Pools[0].Namespace != "metallb-system" || r.Pools[1].Namespace != "elsewhere" {
		t.Errorf("pools = %+v", r.Pools)
	}
	if len(r.Nodes) != 1 || r.Nodes[0].Namespace != "" {
		t.Errorf("nodes = %+v; cluster-scoped objects get no namespace", r.Nodes)
	}
	if svcs := set.Services("default"); len(svcs) != 1 || svcs[0].Namespace != "default" {
		t.Errorf("services = %+v", svcs)
	}
	if ns := set.Objects[0].Object.(*v1beta1.IPAddressPool).Namespace; ns != "" {
		t.Errorf("Resources modified the set's object (namespace %q)", ns)
	}
}
