package k8s_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	apischeme "github.com/bgplb/bgplb/api/scheme"
	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/controller/k8s"
	"github.com/bgplb/bgplb/topologies/controlplane"
)

// One control plane per test binary: started by the first integration test that
// asks for it, stopped by TestMain after every test has run (pass or fail).
var shared struct {
	once sync.Once
	cp   *controlplane.ControlPlane
	dir  string
	err  error
	skip string
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.cp != nil {
		if err := shared.cp.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stop control plane:", err)
			code = 1
		}
	}
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

func controlPlane(t testing.TB) *controlplane.ControlPlane {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: needs kube-apiserver and etcd; skipped with -short")
	}
	shared.once.Do(func() {
		if _, err := controlplane.FindBinaries(controlplane.Binaries{}, os.Getenv, "."); err != nil {
			shared.skip = err.Error()
			return
		}
		shared.dir, shared.err = os.MkdirTemp("", "bgplb-controller-test-")
		if shared.err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		shared.cp, shared.err = controlplane.Start(ctx, controlplane.Options{StateDir: shared.dir, DieWithParent: true})
		if shared.err == nil {
			shared.err = shared.cp.InstallCRDs(ctx, filepath.Join("..", "..", "deploy", "crds"))
		}
	})
	if shared.skip != "" {
		t.Skipf("control plane binaries missing: %s", shared.skip)
	}
	if shared.err != nil {
		t.Fatalf("control plane: %v", shared.err)
	}
	return shared.cp
}

var seq atomic.Int32

// env is one test's corner of the shared apiserver: its own configuration namespace
// (so pools of earlier tests do not leak in) and its own Service namespace, whose
// Services are deleted when the test ends so later controllers do not see them.
type env struct {
	t     *testing.T
	g     Gomega
	cfg   *rest.Config
	c     client.Client
	ns    string // product namespace: pools, ConfigurationState, Lease
	svcNS string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	cp := controlPlane(t)
	scheme, err := apischeme.New()
	if err != nil {
		t.Fatal(err)
	}
	cfg := cp.RESTConfig()
	cfg.QPS, cfg.Burst = 500, 1000
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	n := seq.Add(1)
	e := &env{t: t, g: NewWithT(t), cfg: cfg, c: c,
		ns: fmt.Sprintf("lb-system-%d", n), svcNS: fmt.Sprintf("apps-%d", n)}
	for _, ns := range []string{e.ns, e.svcNS} {
		e.create(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: map[string]string{"team": ns}}})
	}
	t.Cleanup(func() {
		// No kube-controller-manager: namespaces never finish deleting, so the
		// Services themselves are removed.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := c.DeleteAllOf(ctx, &corev1.Service{}, client.InNamespace(e.svcNS)); err != nil {
			t.Errorf("delete services: %v", err)
		}
	})
	return e
}

func (e *env) create(obj client.Object) {
	e.t.Helper()
	if err := e.c.Create(context.Background(), obj); err != nil {
		e.t.Fatalf("create %T %s: %v", obj, obj.GetName(), err)
	}
}

// controller runs a controller in-process until the returned stop is called (or
// the test ends); stop waits for it to return and fails the test on its error.
func (e *env) controller(opts k8s.Options) (stop func()) {
	e.t.Helper()
	opts.Namespace = e.ns
	opts.MetricsAddr, opts.HealthAddr = "0", "0"
	opts.PoolStatusInterval = 200 * time.Millisecond
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(e.t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	c, err := k8s.New(rest.CopyConfig(e.cfg), opts)
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Start(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					e.t.Errorf("controller: %v", err)
				}
			case <-time.After(30 * time.Second):
				e.t.Errorf("controller did not stop within 30s")
			}
		})
	}
	e.t.Cleanup(stop)
	return stop
}

func (e *env) pool(name string, addrs ...string) *v1beta1.IPAddressPool {
	p := &v1beta1.IPAddressPool{ObjectMeta: metav1.ObjectMeta{Namespace: e.ns, Name: name},
		Spec: v1beta1.IPAddressPoolSpec{Addresses: addrs}}
	e.create(p)
	return p
}

func (e *env) setPoolAddresses(name string, addrs ...string) {
	e.t.Helper()
	var p v1beta1.IPAddressPool
	e.g.Expect(e.c.Get(context.Background(), types.NamespacedName{Namespace: e.ns, Name: name}, &p)).To(Succeed())
	p.Spec.Addresses = addrs
	e.g.Expect(e.c.Update(context.Background(), &p)).To(Succeed())
}

// service creates a LoadBalancer Service on TCP/80 (mutate changes it first).
func (e *env) service(name string, mutate ...func(*corev1.Service)) *corev1.Service {
	e.t.Helper()
	s := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: e.svcNS, Name: name, Annotations: map[string]string{}},
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeLoadBalancer,
			Selector: map[string]string{"app": name},
			Ports:    []corev1.ServicePort{{Name: "http", Protocol: corev1.ProtocolTCP, Port: 80, TargetPort: intstr.FromInt32(8080)}},
		},
	}
	for _, m := range mutate {
		m(s)
	}
	e.create(s)
	return s
}

func (e *env) get(name string) *corev1.Service {
	e.t.Helper()
	var s corev1.Service
	e.g.Expect(e.c.Get(context.Background(), types.NamespacedName{Namespace: e.svcNS, Name: name}, &s)).To(Succeed())
	return &s
}

func ingress(s *corev1.Service) []string {
	var out []string
	for _, in := range s.Status.LoadBalancer.Ingress {
		out = append(out, in.IP)
	}
	return out
}

// waitIPs waits until the Service shows n addresses and returns them.
func (e *env) waitIPs(name string, n int) []string {
	e.t.Helper()
	var ips []string
	e.g.Eventually(func() []string {
		ips = ingress(e.get(name))
		return ips
	}).WithTimeout(20*time.Second).WithPolling(50*time.Millisecond).Should(HaveLen(n), "service %s addresses", name)
	return ips
}

// waitPool waits for metallb.io/ip-allocated-from-pool, which is written just
// after the status.
func (e *env) waitPool(name, pool string) {
	e.t.Helper()
	e.g.Eventually(func() map[string]string { return e.get(name).Annotations }).WithTimeout(20 * time.Second).
		WithPolling(50 * time.Millisecond).Should(HaveKeyWithValue("metallb.io/ip-allocated-from-pool", pool))
}

// events returns "Type Reason: message" of the events on an object, oldest first.
func (e *env) events(ns, kind, name string) []string {
	e.t.Helper()
	var list corev1.EventList
	e.g.Expect(e.c.List(context.Background(), &list, client.InNamespace(ns))).To(Succeed())
	slices.SortFunc(list.Items, func(a, b corev1.Event) int { return a.FirstTimestamp.Compare(b.FirstTimestamp.Time) })
	var out []string
	for _, ev := range list.Items {
		if ev.InvolvedObject.Kind == kind && ev.InvolvedObject.Name == name {
			out = append(out, fmt.Sprintf("%s %s: %s", ev.Type, ev.Reason, ev.Message))
		}
	}
	return out
}

func (e *env) svcEvents(name string) []string { return e.events(e.svcNS, "Service", name) }

// waitEvent waits for an event on the Service whose text contains want.
func (e *env) waitEvent(name, want string) {
	e.t.Helper()
	e.g.Eventually(func() []string { return e.svcEvents(name) }).WithTimeout(20*time.Second).
		WithPolling(100*time.Millisecond).Should(ContainElement(ContainSubstring(want)), "events of %s", name)
}

func (e *env) configState() *v1beta1.ConfigurationState {
	var cs v1beta1.ConfigurationState
	err := e.c.Get(context.Background(), types.NamespacedName{Namespace: e.ns, Name: k8s.ConfigStateName}, &cs)
	if apierrors.IsNotFound(err) {
		return nil
	}
	e.g.Expect(err).NotTo(HaveOccurred())
	return &cs
}

func (e *env) waitConfigResult(want v1beta1.ConfigurationStateResult) *v1beta1.ConfigurationState {
	e.t.Helper()
	var cs *v1beta1.ConfigurationState
	e.g.Eventually(func() v1beta1.ConfigurationStateResult {
		if cs = e.configState(); cs == nil {
			return ""
		}
		return cs.Status.Result
	}).WithTimeout(20 * time.Second).WithPolling(100 * time.Millisecond).Should(Equal(want))
	return cs
}

func (e *env) deleteService(name string) {
	e.t.Helper()
	err := e.c.Delete(context.Background(), &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: e.svcNS, Name: name}})
	if err != nil && !apierrors.IsNotFound(err) {
		e.t.Fatal(err)
	}
}

// snapshotServices returns name -> "ips|annotation|resourceVersion" of every Service.
func (e *env) snapshotServices() map[string]string {
	e.t.Helper()
	var list corev1.ServiceList
	e.g.Expect(e.c.List(context.Background(), &list, client.InNamespace(e.svcNS))).To(Succeed())
	out := map[string]string{}
	for _, s := range list.Items {
		out[s.Name] = strings.Join(ingress(&s), ",") + "|" + s.Annotations["metallb.io/ip-allocated-from-pool"] + "|" + s.ResourceVersion
	}
	return out
}

type coordinationLease = coordinationv1.Lease

func metaName(ns, name string) metav1.ObjectMeta { return metav1.ObjectMeta{Namespace: ns, Name: name} }
