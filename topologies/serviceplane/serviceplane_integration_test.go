package serviceplane

import (
	"context"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bgplb/bgplb/topologies/controlplane"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

const (
	ns1, ns2 = "bgplbtest-n1", "bgplbtest-n2"
	vip      = "203.0.113.10"
	// reflectWithin is the bound on a placement change reaching the nodes and
	// the API; the goal is one second, with room for a loaded 2-core machine.
	reflectWithin = 2 * time.Second
)

// TestIntegrationServicePlane runs the service plane against a real
// apiserver and two node namespaces joined by a veth.
func TestIntegrationServicePlane(t *testing.T) {
	requireRoot(t, "curl", "ss")
	if _, err := controlplane.FindBinaries(controlplane.Binaries{}, os.Getenv, "."); err != nil {
		t.Skipf("control plane binaries missing: %v", err)
	}
	twoNodes(t)
	cp := startControlPlane(t)
	cfg := cp.RESTConfig()
	startServicePlane(t, cfg)
	client := kubernetes.NewForConfigOrDie(cfg)
	ctx := t.Context()

	t.Run("apiserver through the forwarder", func(t *testing.T) {
		certs := writeCredentials(t, cfg)
		readyz := cfg.Host + "/readyz"
		for _, ns := range []string{ns1, ns2} {
			eventually(t, 10*time.Second, "readyz from "+ns, func() (bool, string) {
				out, err := sh(t, append([]string{"ip", "netns", "exec", ns, "curl", "-sS", "--max-time", "3"}, append(certs, readyz)...)...)
				return err == nil && out == "ok", out + errString(err)
			})
		}
	})

	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "web",
			Annotations: map[string]string{AnnotationBackends: "n1,n2"}},
		// Local: only ready backends hold the VIP, which the readiness steps check
		// (with Cluster every node answers while a backend is ready; unit-tested).
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, ExternalTrafficPolicy: corev1.ServiceExternalTrafficPolicyLocal,
			Ports: []corev1.ServicePort{{Name: "http", Port: 80, Protocol: corev1.ProtocolTCP}}},
	}
	svc, err := client.CoreV1().Services("default").Create(ctx, svc, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, reflectWithin, "slice with two endpoints", endpoints(t, client, "n1=true,n2=true"))
	if addrOnLo(t, ns1) || addrOnLo(t, ns2) {
		t.Fatal("VIP bound before the Service has an ingress IP")
	}

	// There is no controller yet: write the status it would write.
	svc.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: vip}}
	if _, err = client.CoreV1().Services("default").UpdateStatus(ctx, svc, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	took := eventually(t, reflectWithin, "VIP answered on both nodes", func() (bool, string) {
		a, errA := curlVIP(t, ns1)
		b, errB := curlVIP(t, ns2)
		return a == "n1\n" && b == "n2\n", a + b + errString(errA) + errString(errB)
	})
	t.Logf("ingress IP → VIP answering on both nodes: %v", took)

	// n2 not ready: its address goes, so n2 reaches the VIP on n1 over the veth.
	updateAnnotations(t, client, AnnotationBackendsReady, "n1")
	took = eventually(t, reflectWithin, "n2 marked not ready", func() (bool, string) {
		ok, msg := endpoints(t, client, "n1=true,n2=false")()
		return ok && !addrOnLo(t, ns2), msg
	})
	t.Logf("readiness change reflected in slice and addresses: %v", took)
	if out, err := curlVIP(t, ns2); err != nil || out != "n1\n" {
		t.Fatalf("curl %s from %s: %q %v, want n1 to answer", vip, ns2, out, err)
	}

	// Scale down by the annotation.
	updateAnnotations(t, client, AnnotationBackends, "n1")
	took = eventually(t, reflectWithin, "scaled to n1", endpoints(t, client, "n1=true"))
	t.Logf("scaling change reflected in slice: %v", took)

	// Delete: slices, address and listener go.
	if err := client.CoreV1().Services("default").Delete(ctx, "web", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	took = eventually(t, reflectWithin, "Service gone from the nodes", func() (bool, string) {
		ok, msg := endpoints(t, client, "")()
		ln := listening(t, ns1)
		return ok && !addrOnLo(t, ns1) && !ln, msg + " listening=" + boolString(ln)
	})
	t.Logf("Service deletion reflected: %v", took)
}

func twoNodes(t *testing.T) {
	addNamespace(t, ns1)
	addNamespace(t, ns2)
	mustSh(t, "ip", "link", "add", "bgplbt-n1", "netns", ns1, "type", "veth", "peer", "name", "bgplbt-n2", "netns", ns2)
	mustSh(t, "ip", "-n", ns1, "addr", "add", "198.51.100.1/24", "dev", "bgplbt-n1")
	mustSh(t, "ip", "-n", ns2, "addr", "add", "198.51.100.2/24", "dev", "bgplbt-n2")
	mustSh(t, "ip", "-n", ns1, "link", "set", "bgplbt-n1", "up")
	mustSh(t, "ip", "-n", ns2, "link", "set", "bgplbt-n2", "up")
	// What BGP would install on a router, here by hand: the VIP via n1.
	mustSh(t, "ip", "-n", ns2, "route", "add", vip+"/32", "via", "198.51.100.1")
}

func startControlPlane(t *testing.T) *controlplane.ControlPlane {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cp, err := controlplane.Start(ctx, controlplane.Options{
		StateDir: t.TempDir(), DieWithParent: true,
		Logger: slog.New(slog.NewTextHandler(t.Output(), nil)),
	})
	if err != nil {
		t.Fatalf("control plane: %v", err)
	}
	t.Cleanup(func() {
		if err := cp.Stop(); err != nil {
			t.Errorf("stop control plane: %v", err)
		}
	})
	return cp
}

func startServicePlane(t *testing.T, cfg *rest.Config) {
	sp, err := New(Options{
		RESTConfig: cfg,
		Nodes:      map[string]string{"n1": ns1, "n2": ns2},
		Addresses:  map[string][]netip.Addr{"n1": {netip.MustParseAddr("198.51.100.1")}, "n2": {netip.MustParseAddr("198.51.100.2")}},
		Logger:     slog.New(slog.NewTextHandler(t.Output(), nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sp.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("service plane: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("service plane did not stop within 15s")
		}
	})
}

// writeCredentials writes the admin CA, certificate and key for curl.
func writeCredentials(t *testing.T, cfg *rest.Config) []string {
	dir := t.TempDir()
	files := map[string][]byte{"ca.pem": cfg.CAData, "admin.pem": cfg.CertData, "admin-key.pem": cfg.KeyData}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return []string{"--cacert", filepath.Join(dir, "ca.pem"), "--cert", filepath.Join(dir, "admin.pem"), "--key", filepath.Join(dir, "admin-key.pem")}
}

func updateAnnotations(t *testing.T, client kubernetes.Interface, key, value string) {
	t.Helper()
	svc, err := client.CoreV1().Services("default").Get(t.Context(), "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	svc.Annotations[key] = value
	if _, err := client.CoreV1().Services("default").Update(t.Context(), svc, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// endpoints checks the Service's slices hold exactly want ("n1=true,n2=false"
// as node=ready; "" means no slice at all).
func endpoints(t *testing.T, client kubernetes.Interface, want string) func() (bool, string) {
	return func() (bool, string) {
		list, err := client.DiscoveryV1().EndpointSlices("default").List(t.Context(), metav1.ListOptions{
			LabelSelector: discoveryv1.LabelServiceName + "=web"})
		if err != nil {
			return false, err.Error()
		}
		var got []string
		for _, s := range list.Items {
			for _, e := range s.Endpoints {
				got = append(got, *e.NodeName+"="+boolString(*e.Conditions.Ready))
			}
		}
		if want == "" {
			return len(list.Items) == 0, "slices left: " + strings.Join(got, ",")
		}
		return strings.Join(got, ",") == want, "endpoints " + strings.Join(got, ",")
	}
}

func curlVIP(t *testing.T, ns string) (string, error) {
	return sh(t, "ip", "netns", "exec", ns, "curl", "-sS", "--max-time", "2", "http://"+vip+"/")
}

func addrOnLo(t *testing.T, ns string) bool {
	return strings.Contains(mustSh(t, "ip", "-n", ns, "-o", "addr", "show", "dev", "lo"), " "+vip+"/32")
}

func listening(t *testing.T, ns string) bool {
	return strings.Contains(mustSh(t, "ip", "netns", "exec", ns, "ss", "-Htln"), vip+":80")
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return " " + err.Error()
}
