package lab

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"

	"github.com/bgplb/bgplb/api/scheme"
	"github.com/bgplb/bgplb/config/manifest"
	"github.com/bgplb/bgplb/topologies/model"
	"github.com/bgplb/bgplb/topologies/serviceplane"
)

// FieldManager owns what the lab applies (server-side apply).
const FieldManager = "bgplb-lab"

// Demo is the LoadBalancer Service `lab up` creates in namespace default.
const Demo = "demo"

func newClient(cfg *rest.Config) (client.Client, error) {
	s, err := scheme.New()
	if err != nil {
		return nil, fmt.Errorf("lab: scheme: %w", err)
	}
	c, err := client.New(cfg, client.Options{Scheme: s})
	if err != nil {
		return nil, fmt.Errorf("lab: apiserver client: %w", err)
	}
	return c, nil
}

func clientFromKubeconfig(path string) (client.Client, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		return nil, fmt.Errorf("lab: kubeconfig %s: %w", path, err)
	}
	cfg.Timeout = defaultAPITimeout
	return newClient(cfg)
}

// apply server-side-applies one typed object (TypeMeta set). Nodes get their status
// applied too: addresses live there and the main resource ignores status.
func apply(ctx context.Context, c client.Client, obj client.Object) error {
	node, isNode := obj.(*corev1.Node)
	var status corev1.NodeStatus
	if isNode {
		// A dual-stack node has two InternalIP addresses, which server-side apply
		// refuses (it keys status.addresses by type); kubelets write status with an
		// update, so the lab does too, after applying the rest.
		status, node.Status = node.Status, corev1.NodeStatus{}
	}
	data, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	opts := []client.PatchOption{client.FieldOwner(FieldManager), client.ForceOwnership}
	desc := describe(obj)
	if err := c.Patch(ctx, obj, client.RawPatch(types.ApplyPatchType, data), opts...); err != nil {
		return fmt.Errorf("apply %s: %w", desc, err)
	}
	if isNode {
		patch, err := json.Marshal(map[string]any{"status": status})
		if err != nil {
			return err
		}
		node.Status = status
		if err := c.Status().Patch(ctx, node, client.RawPatch(types.MergePatchType, patch)); err != nil {
			return fmt.Errorf("write %s status: %w", desc, err)
		}
	}
	return nil
}

func describe(obj client.Object) string {
	kind := obj.GetObjectKind().GroupVersionKind().Kind
	if ns := obj.GetNamespace(); ns != "" {
		return fmt.Sprintf("%s %s/%s", kind, ns, obj.GetName())
	}
	return fmt.Sprintf("%s %s", kind, obj.GetName())
}

// manifestObjects returns what the lab applies besides Nodes: the derived MetalLB
// objects, or the topology's own files (paths relative to the topology file).
func manifestObjects(m model.Manifests, topologyDir string) ([]client.Object, error) {
	var out []client.Object
	if len(m.Files) == 0 {
		for _, o := range m.Objects() {
			if co, ok := o.(client.Object); ok {
				if _, isNode := co.(*corev1.Node); !isNode {
					out = append(out, co)
				}
			}
		}
		return out, nil
	}
	var paths []string
	for _, f := range m.Files {
		if !filepath.IsAbs(f) {
			f = filepath.Join(topologyDir, f)
		}
		paths = append(paths, f)
	}
	sch, err := scheme.New()
	if err != nil {
		return nil, err
	}
	set, err := manifest.Load(paths, nil)
	if err != nil {
		return nil, fmt.Errorf("lab: topology manifests: %w", err)
	}
	for _, o := range set.Objects {
		co, ok := o.Object.(client.Object)
		if !ok {
			continue
		}
		if co.GetNamespace() == "" && o.Kind != "Node" && o.Kind != "Namespace" {
			co.SetNamespace(model.Namespace)
		}
		if co.GetObjectKind().GroupVersionKind().Empty() {
			gvk, err := apiutil.GVKForObject(co, sch)
			if err != nil {
				return nil, fmt.Errorf("lab: %s: %w", o.Source, err)
			}
			co.GetObjectKind().SetGroupVersionKind(gvk)
		}
		out = append(out, co)
	}
	return out, nil
}

func namespaceObject(name string) *corev1.Namespace {
	return &corev1.Namespace{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
		ObjectMeta: metav1.ObjectMeta{Name: name}}
}

// demoService is a LoadBalancer Service with backends on (up to) two k8s nodes, which
// the lab's service plane serves once the controller gives it an IP.
func demoService(l *model.Lab) *corev1.Service {
	var backends []string
	for _, n := range l.NodesWithRole(model.RoleK8sNode) {
		if len(backends) < 2 {
			backends = append(backends, n.Name)
		}
	}
	return &corev1.Service{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{Name: Demo, Namespace: "default",
			Annotations: map[string]string{serviceplane.AnnotationBackends: strings.Join(backends, ",")}},
		Spec: corev1.ServiceSpec{
			Type:  corev1.ServiceTypeLoadBalancer,
			Ports: []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromInt32(80), Protocol: corev1.ProtocolTCP}},
		},
	}
}

// ServiceStatus is a LoadBalancer Service and its IPs.
type ServiceStatus struct {
	Namespace string   `json:"namespace"`
	Name      string   `json:"name"`
	IPs       []string `json:"ips"`
	// Pending is true while the Service has no IP (no controller has assigned one).
	Pending  bool   `json:"pending"`
	Backends string `json:"backends,omitempty"`
}

func services(ctx context.Context, c client.Client) ([]ServiceStatus, error) {
	var list corev1.ServiceList
	if err := c.List(ctx, &list); err != nil {
		return nil, fmt.Errorf("list services: %w", err)
	}
	var out []ServiceStatus
	for _, s := range list.Items {
		if s.Spec.Type != corev1.ServiceTypeLoadBalancer {
			continue
		}
		st := ServiceStatus{Namespace: s.Namespace, Name: s.Name, Backends: s.Annotations[serviceplane.AnnotationBackends]}
		for _, in := range s.Status.LoadBalancer.Ingress {
			if in.IP != "" {
				st.IPs = append(st.IPs, in.IP)
			}
		}
		st.Pending = len(st.IPs) == 0
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Namespace+"/"+out[i].Name < out[j].Namespace+"/"+out[j].Name
	})
	return out, nil
}
