package deploy

import (
	"io"
	"os"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	controllerapp "github.com/bgplb/bgplb/controller/app"
	speakerapp "github.com/bgplb/bgplb/speaker/app"
)

// install is one way of installing bgplb the tests cover.
type install struct {
	name      string // golden file stem
	render    func() ([]byte, error)
	namespace string
	prefix    string // object name prefix: <prefix>-controller, <prefix>-speaker
	monitors  bool   // ServiceMonitors expected
}

func installs() []install {
	return []install{
		{name: "kustomize-default", render: func() ([]byte, error) { return renderKustomize("kustomize/overlays/default") },
			namespace: "metallb-system", prefix: "bgplb"},
		{name: "kustomize-with-prometheus", render: func() ([]byte, error) { return renderKustomize("kustomize/overlays/with-prometheus") },
			namespace: "metallb-system", prefix: "bgplb", monitors: true},
		{name: "helm-default", render: func() ([]byte, error) {
			return renderHelm(helmRelease{Name: "bgplb", Namespace: "metallb-system"})
		}, namespace: "metallb-system", prefix: "bgplb"},
		// Every knob of values.yaml moved, in another namespace and release, so the
		// integration test can apply it beside the others.
		{name: "helm-custom", render: func() ([]byte, error) {
			return renderHelm(helmRelease{Name: "edge", Namespace: "default", Values: map[string]any{
				"namespace": "edge-lb", "lbClass": "example.com/bgplb", "ignoreExcludeLB": true, "logLevel": "debug",
				"image":      map[string]any{"repository": "registry.example.com/lb", "tag": "v9.9.9"},
				"speaker":    map[string]any{"nodeSelector": map[string]any{"bgp": "yes"}},
				"controller": map[string]any{"replicas": 3, "nodeSelector": map[string]any{"role": "infra"}},
				"prometheus": map[string]any{"serviceMonitor": map[string]any{"enabled": true}},
				"webhook":    map[string]any{"enabled": true, "port": 9444},
			}})
		}, namespace: "edge-lb", prefix: "edge-bgplb", monitors: true},
	}
}

// checkFacts asserts what matters about an installation, whether rendered or read back
// from an apiserver: the security posture, availability settings and that the binaries
// accept the arguments they are given.
func checkFacts(t *testing.T, in install, b bundle) {
	t.Helper()
	if n := len(b.ofKind("CustomResourceDefinition")); n != 9 {
		t.Errorf("%d CRDs, want 9", n)
	}
	for _, o := range b {
		switch o.GetKind() {
		case "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "Namespace", "ValidatingWebhookConfiguration":
		default:
			if o.GetNamespace() != in.namespace {
				t.Errorf("%s/%s in namespace %q, want %q", o.GetKind(), o.GetName(), o.GetNamespace(), in.namespace)
			}
		}
	}
	checkRBAC(t, in, b)
	checkWebhook(t, in, b)
	checkSpeaker(t, in, b)
	checkController(t, in, b)
	for _, c := range []string{"controller", "speaker"} {
		svc := b.find("Service", in.prefix+"-"+c+"-monitor")
		if svc == nil {
			t.Errorf("no metrics Service %s-%s-monitor", in.prefix, c)
			continue
		}
		ports, _, _ := unstructured.NestedSlice(svc.Object, "spec", "ports")
		if len(ports) != 2 || str(ports[0], "name") != "monitoring" || num(ports[0], "port") != 7472 ||
			str(ports[1], "name") != "metricshttps" || num(ports[1], "port") != 9120 {
			t.Errorf("Service %s ports = %v, want monitoring on 7472 and metricshttps on 9120 (MetalLB's)", svc.GetName(), ports)
		}
		// MetalLB's ServiceMonitors select the monitor Service by this label.
		if n := svc.GetLabels()["name"]; !strings.HasSuffix(n, c+"-monitor-service") {
			t.Errorf("Service %s label name=%q, want <prefix>%s-monitor-service", svc.GetName(), n, c)
		}
	}
	want := 0
	if in.monitors {
		want = 2
	}
	if n := len(b.ofKind("ServiceMonitor")); n != want {
		t.Errorf("%d ServiceMonitors, want %d", n, want)
	}
}

func checkRBAC(t *testing.T, in install, b bundle) {
	t.Helper()
	for _, kind := range []string{"ClusterRole", "Role"} {
		for _, r := range b.ofKind(kind) {
			for _, rule := range rules(r) {
				if slices.Contains(rule.resources, "*") || slices.Contains(rule.verbs, "*") || slices.Contains(rule.groups, "*") {
					t.Errorf("%s %s has a wildcard rule %+v", kind, r.GetName(), rule)
				}
				if kind == "ClusterRole" && slices.Contains(rule.resources, "secrets") {
					t.Errorf("ClusterRole %s grants secrets cluster-wide", r.GetName())
				}
				if slices.Contains(rule.resources, "secrets") && !sameSet(rule.verbs, []string{"get", "list", "watch"}) && !webhookSecretRule(in, r.GetName(), rule) {
					t.Errorf("%s %s grants %v on secrets, want get/list/watch (writes: only the webhook's certificate Secret)", kind, r.GetName(), rule.verbs)
				}
			}
		}
	}
	for _, c := range []string{"controller", "speaker"} {
		name := in.prefix + "-" + c
		role := b.find("Role", name)
		if role == nil || !slices.ContainsFunc(rules(role), func(r rule) bool { return slices.Contains(r.resources, "secrets") }) {
			t.Errorf("Role %s does not grant secrets in %s", name, in.namespace)
		}
		rb := b.find("RoleBinding", name)
		if rb == nil {
			t.Errorf("no RoleBinding %s", name)
			continue
		}
		subj, _, _ := unstructured.NestedSlice(rb.Object, "subjects")
		if len(subj) != 1 || str(subj[0], "name") != name || str(subj[0], "namespace") != in.namespace {
			t.Errorf("RoleBinding %s subjects = %v, want only ServiceAccount %s/%s", name, subj, in.namespace, name)
		}
	}
}

func checkSpeaker(t *testing.T, in install, b bundle) {
	t.Helper()
	ds := b.find("DaemonSet", in.prefix+"-speaker")
	if ds == nil {
		t.Fatalf("no DaemonSet %s-speaker", in.prefix)
	}
	spec := nested(ds.Object, "spec", "template", "spec")
	if hn, _ := spec["hostNetwork"].(bool); !hn {
		t.Error("speaker: hostNetwork is not true")
	}
	tols := fmtList(spec["tolerations"], "key")
	for _, k := range []string{"node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/master"} {
		if !slices.Contains(tols, k) {
			t.Errorf("speaker: no toleration for %s (have %v)", k, tols)
		}
	}
	c := container(t, spec)
	sc := nested(c, "securityContext")
	if got := strs(nested(sc, "capabilities")["drop"]); !sameSet(got, []string{"ALL"}) {
		t.Errorf("speaker: capabilities drop %v, want [ALL]", got)
	}
	if got := strs(nested(sc, "capabilities")["add"]); !sameSet(got, []string{"NET_BIND_SERVICE"}) {
		t.Errorf("speaker: capabilities add %v, want only NET_BIND_SERVICE", got)
	}
	checkHardened(t, "speaker", sc)
	if p := str(nested(c, "readinessProbe", "httpGet"), "path"); p != "/readyz" {
		t.Errorf("speaker: readiness probe path %q, want /readyz", p)
	}
	if p := str(nested(c, "livenessProbe", "httpGet"), "path"); p != "/healthz" {
		t.Errorf("speaker: liveness probe path %q, want /healthz", p)
	}
	env := map[string]string{}
	for _, e := range c["env"].([]any) {
		env[str(e, "name")] = str(nested(e.(map[string]any), "valueFrom", "fieldRef"), "fieldPath")
	}
	if env["NODE_NAME"] != "spec.nodeName" || env["POD_NAMESPACE"] != "metadata.namespace" {
		t.Errorf("speaker: env fieldRefs %v, want NODE_NAME=spec.nodeName, POD_NAMESPACE=metadata.namespace", env)
	}
	getenv := func(k string) string { return map[string]string{"NODE_NAME": "node-1"}[k] }
	f, err := speakerapp.Parse(expand(strs(c["args"]), in.namespace), getenv, io.Discard)
	if err != nil {
		t.Errorf("speaker rejects its arguments %v: %v", c["args"], err)
	} else if f.Namespace != in.namespace || f.NodeName != "node-1" {
		t.Errorf("speaker: namespace %q node %q, want %q node-1", f.Namespace, f.NodeName, in.namespace)
	}
}

func checkController(t *testing.T, in install, b bundle) {
	t.Helper()
	d := b.find("Deployment", in.prefix+"-controller")
	if d == nil {
		t.Fatalf("no Deployment %s-controller", in.prefix)
	}
	if r := num(nested(d.Object, "spec"), "replicas"); r < 2 {
		t.Errorf("controller: %d replicas, want at least 2", r)
	}
	spec := nested(d.Object, "spec", "template", "spec")
	if nr, _ := nested(spec, "securityContext")["runAsNonRoot"].(bool); !nr {
		t.Error("controller: runAsNonRoot is not true")
	}
	c := container(t, spec)
	sc := nested(c, "securityContext")
	if caps := nested(sc, "capabilities"); !sameSet(strs(caps["drop"]), []string{"ALL"}) || len(strs(caps["add"])) > 0 {
		t.Errorf("controller: capabilities %v, want drop [ALL] and nothing added", caps)
	}
	checkHardened(t, "controller", sc)
	f, err := controllerapp.Parse(expand(strs(c["args"]), in.namespace), io.Discard)
	if err != nil {
		t.Errorf("controller rejects its arguments %v: %v", c["args"], err)
	} else if !f.LeaderElect || f.Namespace != in.namespace {
		t.Errorf("controller: leader-elect %v namespace %q, want true and %q", f.LeaderElect, f.Namespace, in.namespace)
	}
	pdb := b.find("PodDisruptionBudget", in.prefix+"-controller")
	if pdb == nil {
		t.Fatalf("no PodDisruptionBudget %s-controller", in.prefix)
	}
	if m, _, _ := unstructured.NestedFieldNoCopy(pdb.Object, "spec", "minAvailable"); num(map[string]any{"v": m}, "v") != 1 {
		t.Errorf("PDB minAvailable = %v, want 1", m)
	}
	sel, _, _ := unstructured.NestedStringMap(pdb.Object, "spec", "selector", "matchLabels")
	podLabels, _, _ := unstructured.NestedStringMap(d.Object, "spec", "template", "metadata", "labels")
	for k, v := range sel {
		if podLabels[k] != v {
			t.Errorf("PDB selector %s=%s does not match the controller's pods %v", k, v, podLabels)
		}
	}
}

func checkHardened(t *testing.T, who string, sc map[string]any) {
	t.Helper()
	if ro, _ := sc["readOnlyRootFilesystem"].(bool); !ro {
		t.Errorf("%s: readOnlyRootFilesystem is not true", who)
	}
	if pe, ok := sc["allowPrivilegeEscalation"].(bool); !ok || pe {
		t.Errorf("%s: allowPrivilegeEscalation is not false", who)
	}
	if p, _ := sc["privileged"].(bool); p {
		t.Errorf("%s: privileged", who)
	}
}

// expand substitutes $(POD_NAMESPACE) the way the kubelet does.
func expand(args []string, ns string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = strings.ReplaceAll(a, "$(POD_NAMESPACE)", ns)
	}
	return out
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// webhookSecretRule: the one write on Secrets bgplb needs — the webhook's Role may
// create (Kubernetes cannot limit create by name) and update only its certificate.
func webhookSecretRule(in install, role string, r rule) bool {
	if role != in.prefix+"-controller-webhook" {
		return false
	}
	if sameSet(r.verbs, []string{"create"}) && len(r.names) == 0 {
		return true
	}
	return sameSet(r.verbs, []string{"get", "update"}) && sameSet(r.names, []string{in.prefix + "-webhook-cert"})
}

// checkWebhook: when rendered, the webhook fails open, never validates DELETE,
// reaches the controller's Service, and the controller is told to serve it.
func checkWebhook(t *testing.T, in install, b bundle) {
	t.Helper()
	vwcs := b.ofKind("ValidatingWebhookConfiguration")
	if len(vwcs) == 0 {
		return
	}
	hooks, _, _ := unstructured.NestedSlice(vwcs[0].Object, "webhooks")
	for _, h := range hooks {
		m := h.(map[string]any)
		if str(m, "failurePolicy") != "Ignore" {
			t.Errorf("webhook %s failurePolicy %q, want Ignore (fail open)", str(m, "name"), str(m, "failurePolicy"))
		}
		rs, _ := m["rules"].([]any)
		for _, r := range rs {
			if slices.Contains(strs(r.(map[string]any)["operations"]), "DELETE") {
				t.Errorf("webhook %s validates DELETE: a configuration must come apart in any order", str(m, "name"))
			}
		}
		svc := nested(m, "clientConfig", "service")
		if svc["name"] != in.prefix+"-webhook" || svc["namespace"] != in.namespace || b.find("Service", in.prefix+"-webhook") == nil {
			t.Errorf("webhook reaches %v; want Service %s/%s-webhook, rendered", svc, in.namespace, in.prefix)
		}
	}
	c := container(t, nested(b.find("Deployment", in.prefix+"-controller").Object, "spec", "template", "spec"))
	if !slices.ContainsFunc(strs(c["args"]), func(a string) bool { return strings.HasPrefix(a, "--webhook-addr=") }) {
		t.Errorf("webhook rendered but the controller is not told to serve it: %v", c["args"])
	}
}
