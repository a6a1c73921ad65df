package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/lint"
	"helm.sh/helm/v3/pkg/lint/support"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// valuesCase is one entry of the values matrix: values a user sets and what must
// then be true of the rendered objects.
type valuesCase struct {
	name   string
	values map[string]any
	check  func(t *testing.T, b bundle)
}

func podSpecOf(t *testing.T, b bundle, kind, name string) map[string]any {
	t.Helper()
	o := b.find(kind, name)
	if o == nil {
		t.Fatalf("no %s %s", kind, name)
	}
	return nested(o.Object, "spec", "template", "spec")
}

func podMeta(b bundle, kind, name string) map[string]any {
	return nested(b.find(kind, name).Object, "spec", "template", "metadata")
}

// The values MetalLB users set (written here from the key names MetalLB's chart
// documents), including keys bgplb accepts and ignores.
func valuesMatrix() []valuesCase {
	return []valuesCase{
		{"defaults", nil, func(t *testing.T, b bundle) {
			for _, c := range []string{"controller", "speaker"} {
				kind := map[string]string{"controller": "Deployment", "speaker": "DaemonSet"}[c]
				l := nested(podMeta(b, kind, "bgplb-"+c), "labels")
				if l["app"] != "metallb" || l["component"] != c || l["app.kubernetes.io/component"] != c {
					t.Errorf("%s pod labels %v: want MetalLB's app=metallb, component=%s beside ours", c, l, c)
				}
			}
			if n := len(b.ofKind("CustomResourceDefinition")); n != 9 {
				t.Errorf("%d CRDs rendered as templates, want 9", n)
			}
			for _, crd := range b.ofKind("CustomResourceDefinition") {
				if crd.GetAnnotations()["helm.sh/resource-policy"] != "keep" {
					t.Errorf("CRD %s lacks helm.sh/resource-policy: keep", crd.GetName())
				}
			}
		}},
		{"names", map[string]any{"nameOverride": "lb", "fullnameOverride": "edge"}, func(t *testing.T, b bundle) {
			d := b.find("Deployment", "edge-controller")
			if d == nil || b.find("DaemonSet", "edge-speaker") == nil || b.find("ClusterRole", "edge-metrics-reader") == nil {
				t.Fatal("fullnameOverride did not name the objects edge-*")
			}
			sel, _, _ := unstructured.NestedStringMap(d.Object, "spec", "selector", "matchLabels")
			if sel["app.kubernetes.io/name"] != "lb" {
				t.Errorf("nameOverride: selector %v, want app.kubernetes.io/name=lb", sel)
			}
		}},
		{"metallb-user", map[string]any{
			"imagePullSecrets":  []any{map[string]any{"name": "regcred"}},
			"loadBalancerClass": "example.com/lb",
			"crds":              map[string]any{"validationFailurePolicy": "Fail"},
			"frrk8s":            map[string]any{"enabled": false},
			"controller": map[string]any{
				"logLevel":          "debug",
				"serviceAccount":    map[string]any{"create": false, "name": "ctrl-sa"},
				"priorityClassName": "system-cluster-critical",
				"affinity":          map[string]any{"nodeAffinity": map[string]any{"requiredDuringSchedulingIgnoredDuringExecution": map[string]any{"nodeSelectorTerms": []any{map[string]any{"matchExpressions": []any{map[string]any{"key": "infra", "operator": "Exists"}}}}}}},
				"tolerations":       []any{map[string]any{"key": "infra", "operator": "Exists"}},
				"nodeSelector":      map[string]any{"role": "infra"},
				"podAnnotations":    map[string]any{"team": "net"},
				"labels":            map[string]any{"metallb-label": "x"},
				"podLabels":         map[string]any{"pod-label": "y"},
				"securityContext":   map[string]any{"runAsNonRoot": true, "runAsUser": 65534, "fsGroup": 65534},
				"resources":         map[string]any{"limits": map[string]any{"cpu": "100m", "memory": "100Mi"}},
				"livenessProbe":     map[string]any{"enabled": false},
				"readinessProbe":    map[string]any{"periodSeconds": 7},
				"strategy":          map[string]any{"type": "Recreate"},
				"webhookMode":       "enabled",
			},
			"speaker": map[string]any{
				"serviceAccount":  map[string]any{"annotations": map[string]any{"iam": "role"}},
				"updateStrategy":  map[string]any{"type": "OnDelete"},
				"memberlist":      map[string]any{"enabled": false},
				"frr":             map[string]any{"enabled": false},
				"tolerateMaster":  true,
				"ignoreExcludeLB": true,
				"excludeInterfaces": map[string]any{
					"enabled": true,
				},
			},
			"rbac": map[string]any{"create": false},
		}, func(t *testing.T, b bundle) {
			ctrl := podSpecOf(t, b, "Deployment", "bgplb-controller")
			if ctrl["serviceAccountName"] != "ctrl-sa" || b.find("ServiceAccount", "bgplb-controller") != nil {
				t.Errorf("serviceAccount.create=false name=ctrl-sa: pod uses %v, SA rendered %v", ctrl["serviceAccountName"], b.find("ServiceAccount", "bgplb-controller") != nil)
			}
			if sa := b.find("ServiceAccount", "bgplb-speaker"); sa == nil || sa.GetAnnotations()["iam"] != "role" {
				t.Error("speaker serviceAccount.annotations not applied")
			}
			if len(b.ofKind("ClusterRole"))+len(b.ofKind("Role"))+len(b.ofKind("ClusterRoleBinding"))+len(b.ofKind("RoleBinding")) != 0 {
				t.Error("rbac.create=false still renders RBAC")
			}
			want := map[string]any{"priorityClassName": "system-cluster-critical",
				"imagePullSecrets": []any{map[string]any{"name": "regcred"}},
				"nodeSelector":     map[string]any{"role": "infra"},
				"tolerations":      []any{map[string]any{"key": "infra", "operator": "Exists"}},
				"securityContext":  map[string]any{"runAsNonRoot": true, "runAsUser": int64(65534), "fsGroup": int64(65534)}}
			// Helm merges maps into the chart's defaults (set a key to null to drop it):
			// what the user gave must be there.
			for k, v := range want {
				if !contains(normalize(ctrl[k]), normalize(v)) {
					t.Errorf("controller %s = %v, want it to hold %v", k, ctrl[k], v)
				}
			}
			if _, ok := nested(ctrl, "affinity")["nodeAffinity"]; !ok {
				t.Errorf("controller affinity %v, want the given nodeAffinity", ctrl["affinity"])
			}
			meta := podMeta(b, "Deployment", "bgplb-controller")
			if nested(meta, "annotations")["team"] != "net" || nested(meta, "labels")["metallb-label"] != "x" || nested(meta, "labels")["pod-label"] != "y" {
				t.Errorf("controller pod metadata %v", meta)
			}
			c := container(t, ctrl)
			if _, ok := c["livenessProbe"]; ok {
				t.Error("livenessProbe.enabled=false still renders a liveness probe")
			}
			if num(nested(c, "readinessProbe"), "periodSeconds") != 7 {
				t.Errorf("readinessProbe %v, want periodSeconds 7", c["readinessProbe"])
			}
			if !contains(normalize(c["resources"]), normalize(map[string]any{"limits": map[string]any{"cpu": "100m", "memory": "100Mi"}})) {
				t.Errorf("controller resources %v", c["resources"])
			}
			if !strings.Contains(strings.Join(strs(c["args"]), " "), "--lb-class=example.com/lb") {
				t.Errorf("loadBalancerClass not passed: %v", c["args"])
			}
			if s := nested(b.find("Deployment", "bgplb-controller").Object, "spec", "strategy"); s["type"] != "Recreate" {
				t.Errorf("controller strategy %v", s)
			}
			if s := nested(b.find("DaemonSet", "bgplb-speaker").Object, "spec", "updateStrategy"); s["type"] != "OnDelete" {
				t.Errorf("speaker updateStrategy %v", s)
			}
			sc := container(t, podSpecOf(t, b, "DaemonSet", "bgplb-speaker"))
			if !strings.Contains(strings.Join(strs(sc["args"]), " "), "--ignore-exclude-lb=true") {
				t.Errorf("speaker.ignoreExcludeLB not passed: %v", sc["args"])
			}
		}},
		{"monitors", map[string]any{"prometheus": map[string]any{
			"serviceAccount": "prometheus-k8s", "namespace": "monitoring",
			"serviceMonitor": map[string]any{"enabled": true, "controller": map[string]any{"additionalLabels": map[string]any{"release": "kp"}}},
			"prometheusRule": map[string]any{"enabled": true, "bfdSessionDown": map[string]any{"enabled": false}},
		}}, func(t *testing.T, b bundle) {
			sm := b.find("ServiceMonitor", "bgplb-controller")
			if sm == nil || sm.GetLabels()["release"] != "kp" || len(b.ofKind("ServiceMonitor")) != 2 {
				t.Fatalf("ServiceMonitors: %v", b.ofKind("ServiceMonitor"))
			}
			ep, _, _ := unstructured.NestedSlice(sm.Object, "spec", "endpoints")
			if len(ep) != 1 || str(ep[0], "port") != "metricshttps" || str(ep[0], "scheme") != "https" || str(ep[0], "bearerTokenFile") == "" {
				t.Errorf("ServiceMonitor endpoints %v, want metricshttps over https with the token", ep)
			}
			if crb := b.find("ClusterRoleBinding", "bgplb-metrics-reader"); crb == nil {
				t.Error("no metrics-reader binding for prometheus.serviceAccount")
			}
			alerts := alertNames(t, b)
			for _, a := range []string{"MetalLBStaleConfig", "MetalLBConfigNotLoaded", "MetalLBAddressPoolExhausted",
				"MetalLBAddressPoolUsage75Percent", "MetalLBAddressPoolUsage85Percent", "MetalLBAddressPoolUsage95Percent", "MetalLBBGPSessionDown"} {
				if !strings.Contains(alerts, a+",") {
					t.Errorf("alert %s missing: %s", a, alerts)
				}
			}
			if strings.Contains(alerts, "MetalLBBFDSessionDown") {
				t.Error("bfdSessionDown.enabled=false still renders the alert")
			}
		}},
		{"podmonitor", map[string]any{"prometheus": map[string]any{"podMonitor": map[string]any{"enabled": true}}}, func(t *testing.T, b bundle) {
			pm := b.find("PodMonitor", "bgplb-speaker")
			if pm == nil || len(b.ofKind("PodMonitor")) != 2 || b.find("Secret", "bgplb-metrics-token") == nil {
				t.Fatal("PodMonitors or their token Secret missing")
			}
			sel, _, _ := unstructured.NestedStringMap(pm.Object, "spec", "selector", "matchLabels")
			labels, _, _ := unstructured.NestedStringMap(podMeta(b, "DaemonSet", "bgplb-speaker"), "labels")
			for k, v := range sel {
				if labels[k] != v {
					t.Errorf("PodMonitor selects %s=%s; speaker pods have %v", k, v, labels)
				}
			}
		}},
		{"no-crds", map[string]any{"crds": map[string]any{"enabled": false}, "controller": map[string]any{"enabled": false}}, func(t *testing.T, b bundle) {
			if n := len(b.ofKind("CustomResourceDefinition")); n != 0 {
				t.Errorf("crds.enabled=false: %d CRDs", n)
			}
			if b.find("Deployment", "bgplb-controller") != nil || b.find("DaemonSet", "bgplb-speaker") == nil {
				t.Error("controller.enabled=false: want no controller Deployment and the speaker")
			}
		}},
	}
}

// normalize turns numbers into int64 so rendered and given values compare.
func normalize(v any) any {
	data, _ := yaml.Marshal(v)
	var out any
	_ = yaml.Unmarshal(data, &out)
	return out
}

// contains: got holds want (maps by key, recursively; anything else equal).
func contains(got, want any) bool {
	wm, ok := want.(map[string]any)
	if !ok {
		return reflect.DeepEqual(got, want)
	}
	gm, ok := got.(map[string]any)
	if !ok {
		return false
	}
	for k, v := range wm {
		if !contains(gm[k], v) {
			return false
		}
	}
	return true
}

func alertNames(t *testing.T, b bundle) string {
	t.Helper()
	rules := b.ofKind("PrometheusRule")
	if len(rules) != 1 {
		t.Fatalf("%d PrometheusRules, want 1", len(rules))
	}
	groups, _, _ := unstructured.NestedSlice(rules[0].Object, "spec", "groups")
	var names string
	for _, g := range groups {
		rs, _ := g.(map[string]any)["rules"].([]any)
		for _, r := range rs {
			names += str(r, "alert") + ","
		}
	}
	return names
}

func renderValues(values map[string]any) func() ([]byte, error) {
	return func() ([]byte, error) {
		return renderHelm(helmRelease{Name: "bgplb", Namespace: "metallb-system", Values: values})
	}
}

// TestChartValuesMatrix renders the chart over the values MetalLB users set and
// checks each one reaches the objects it should.
func TestChartValuesMatrix(t *testing.T) {
	for _, c := range valuesMatrix() {
		t.Run(c.name, func(t *testing.T) {
			_, b := mustRender(t, renderValues(c.values))
			c.check(t, b)
		})
	}
}

// TestChartLint runs Helm's own linter (as `helm lint --strict`) over the matrix.
func TestChartLint(t *testing.T) {
	for _, c := range valuesMatrix() {
		t.Run(c.name, func(t *testing.T) {
			l := lint.AllWithKubeVersion(chartDir, c.values, "metallb-system", nil)
			for _, m := range l.Messages {
				if m.Severity >= support.WarningSev {
					t.Errorf("helm lint: %s", m)
				}
			}
		})
	}
}

// TestChartRefusesTypos: values.schema.json makes a misspelt or mistyped value fail
// the install instead of being ignored.
func TestChartRefusesTypos(t *testing.T) {
	for name, v := range map[string]map[string]any{
		"misspelt top-level key": {"controler": map[string]any{"replicas": 3}},
		"misspelt nested key":    {"prometheus": map[string]any{"serviceMonitor": map[string]any{"enabeld": true}}},
		"wrong type":             {"speaker": map[string]any{"tolerations": "all"}},
		"unknown log level":      {"logLevel": "loud"},
		"pull secret as string":  {"imagePullSecrets": []any{"regcred"}},
		"both monitors":          {"prometheus": map[string]any{"serviceMonitor": map[string]any{"enabled": true}, "podMonitor": map[string]any{"enabled": true}}},
	} {
		if _, err := renderValues(v)(); err == nil {
			t.Errorf("%s: %v rendered without error", name, v)
		}
	}
}

// TestChartAlertRules: the PrometheusRule's rules pass `promtool check rules`, and
// `promtool test rules` with the cases in testdata/alerts-test.yaml (each alert
// fires when it should and stays quiet when it should not).
func TestChartAlertRules(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool not installed (Debian package prometheus; `make packages`): alert rules not checked")
	}
	_, b := mustRender(t, renderValues(map[string]any{"prometheus": map[string]any{"prometheusRule": map[string]any{"enabled": true}}}))
	spec := nested(b.ofKind("PrometheusRule")[0].Object, "spec")
	data, err := yaml.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "rules.yaml"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "alerts-test.yaml"), readFile(t, "testdata/alerts-test.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"check", "rules", "rules.yaml"}, {"test", "rules", "alerts-test.yaml"}} {
		cmd := exec.Command(promtool, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}
