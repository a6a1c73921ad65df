package k8s_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/client"

	apischeme "github.com/bgplb/bgplb/api/scheme"
	"github.com/bgplb/bgplb/api/v1beta1"
)

// MetalLB's controller here, same kind of run (LAB-FACTS): restart with 2,000 new
// Services waiting -> all have IPs.
const metallbRestartNewSeconds = 25.5

// BenchmarkControllerRestart measures the controller binary, as shipped, against the
// real apiserver in two restarts:
//
//   - new: the controller is stopped, 2,000 LoadBalancer Services are created
//     (timed: the apiserver's own create rate is the same-run baseline), the
//     controller starts, and the figure is the time until every one has an IP;
//   - assigned: the controller restarts with those 2,000 already assigned; the
//     figure is the time until /readyz answers 200 and no Service has been written
//     for 2 s, and the writes (resourceVersion changes) and IP changes it caused,
//     which must both be zero.
func BenchmarkControllerRestart(b *testing.B) {
	for range b.N {
		restartOnce(b)
	}
}

// controllerProc is the controller binary running as its own process.
type controllerProc struct {
	cmd    *exec.Cmd
	health string
}

func buildController(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "controller")
	build := exec.Command("go", "build", "-o", bin, "github.com/bgplb/bgplb/cmd/controller")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		b.Fatalf("build controller: %v", err)
	}
	return bin
}

func startController(b *testing.B, bin, kubeconfig, ns, health string) *controllerProc {
	b.Helper()
	args := []string{"--kubeconfig", kubeconfig, "--namespace", ns, "--leader-elect=false",
		"--metrics-addr", "0", "--health-addr", health, "--log-level", "warn"}
	if a := os.Getenv("BGPLB_BENCH_PPROF"); a != "" { // profile it: go tool pprof http://$a/debug/pprof/profile
		args = append(args, "--pprof-addr", a)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	p := &controllerProc{cmd: cmd, health: health}
	b.Cleanup(p.stop)
	return p
}

// stop sends SIGTERM and waits (SIGKILL after 30 s); a second call does nothing.
func (p *controllerProc) stop() {
	if p.cmd.ProcessState != nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
}

func (p *controllerProc) ready() bool {
	resp, err := http.Get("http://" + p.health + "/readyz")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func restartOnce(b *testing.B) {
	b.StopTimer()
	cp := controlPlane(b)
	bin := buildController(b)
	cfg := cp.RESTConfig()
	cfg.QPS, cfg.Burst = 1000, 2000
	cs := kubernetes.NewForConfigOrDie(cfg)
	n := seq.Add(1)
	ns, svcNS := fmt.Sprintf("bench-system-%d", n), fmt.Sprintf("bench-apps-%d", n)
	ctx := context.Background()
	for _, name := range []string{ns, svcNS} {
		if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	scheme, err := apischeme.New()
	if err != nil {
		b.Fatal(err)
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Create(ctx, &v1beta1.IPAddressPool{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "bulk"},
		Spec: v1beta1.IPAddressPoolSpec{Addresses: []string{"198.18.0.0/20"}}}); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		for i := range benchServices {
			_ = cs.CoreV1().Services(svcNS).Delete(context.Background(), fmt.Sprintf("svc-%04d", i), metav1.DeleteOptions{})
		}
	})
	health := freeHostPort(b)

	// Restart with 2,000 new Services waiting.
	ctl := startController(b, bin, cp.Kubeconfig(), ns, health)
	waitUntil(b, time.Minute, "controller ready", ctl.ready)
	ctl.stop()
	created := createServices(b, cs, svcNS, benchServices)
	start := time.Now()
	ctl = startController(b, bin, cp.Kubeconfig(), ns, health)
	prof := cpuProfile("controller-restart-new")
	w := watchIPs(b, cs, svcNS)
	waitUntil(b, 5*time.Minute, "all Services have an IP", func() bool { return w.count() == benchServices })
	restartNew := time.Since(start)
	w.stop()
	prof()
	ctl.stop()

	// Restart with the 2,000 already assigned.
	before := serviceVersions(b, cs, svcNS)
	start = time.Now()
	ctl = startController(b, bin, cp.Kubeconfig(), ns, health)
	waitUntil(b, time.Minute, "controller ready", ctl.ready)
	ready := time.Since(start)
	time.Sleep(3 * time.Second) // anything the restart would write, it writes now
	after := serviceVersions(b, cs, svcNS)
	cpu := procCPU(ctl.cmd.Process.Pid)
	ctl.stop()
	writes, ipChanges := 0, 0
	for k, v := range before {
		if after[k].rv != v.rv {
			writes++
		}
		if after[k].ip != v.ip {
			ipChanges++
		}
	}

	createRate := float64(benchServices) / created.Seconds()
	b.ReportMetric(restartNew.Seconds(), "s-restart-new")
	b.ReportMetric(created.Seconds(), "s-apiserver-create")
	b.ReportMetric(restartNew.Seconds()/created.Seconds(), "restart-new/create")
	b.ReportMetric(ready.Seconds(), "s-restart-assigned")
	b.ReportMetric(float64(writes), "writes-restart-assigned")
	b.ReportMetric(float64(ipChanges), "ip-changes-restart-assigned")
	fmt.Printf("controller-restart: %d new Services waiting -> all have IPs %.2f s (%.0f/s); baseline: the apiserver created them in %.2f s (%.0f/s): ratio %.2fx; MetalLB anchor %.1f s\n",
		benchServices, restartNew.Seconds(), benchServices/restartNew.Seconds(), created.Seconds(), createRate, restartNew.Seconds()/created.Seconds(), metallbRestartNewSeconds)
	fmt.Printf("controller-restart: %d Services already assigned -> ready %.2f s, %d Service writes, %d IP changes, %.2f CPU-s\n",
		benchServices, ready.Seconds(), writes, ipChanges, cpu.Seconds())
}

// cpuProfile, when BGPLB_BENCH_PPROF names the controller's --pprof-addr, takes a
// CPU profile of it from now until the returned function is called, into
// out/bench/<name>.pprof (go tool pprof -top that file).
func cpuProfile(name string) func() {
	addr := os.Getenv("BGPLB_BENCH_PPROF")
	if addr == "" {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		time.Sleep(300 * time.Millisecond) // the pprof server starts with the manager
		resp, err := http.Get("http://" + addr + "/debug/pprof/profile?seconds=6")
		if err != nil {
			fmt.Println("pprof:", err)
			return
		}
		defer resp.Body.Close()
		out := filepath.Join("..", "..", "out", "bench", name+".pprof")
		_ = os.MkdirAll(filepath.Dir(out), 0o755)
		f, err := os.Create(out)
		if err != nil {
			fmt.Println("pprof:", err)
			return
		}
		defer f.Close()
		_, _ = io.Copy(f, resp.Body)
		fmt.Println("pprof: wrote", out)
	}()
	return func() { <-done }
}

func createServices(b *testing.B, cs kubernetes.Interface, ns string, n int) time.Duration {
	b.Helper()
	begin := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 8 {
				s := &corev1.Service{
					ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("svc-%04d", i)},
					Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Selector: map[string]string{"app": "x"},
						Ports: []corev1.ServicePort{{Protocol: corev1.ProtocolTCP, Port: 80, TargetPort: intstr.FromInt32(80)}}},
				}
				if _, err := cs.CoreV1().Services(ns).Create(context.Background(), s, metav1.CreateOptions{}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatalf("create: %v", err)
	}
	return time.Since(begin)
}

// ipWatch counts the Services of a namespace that have an IP, from a watch (a
// LIST every few milliseconds would load the apiserver the benchmark measures).
type ipWatch struct {
	mu   sync.Mutex
	have map[string]bool
	w    watch.Interface
}

func watchIPs(b *testing.B, cs kubernetes.Interface, ns string) *ipWatch {
	b.Helper()
	w, err := cs.CoreV1().Services(ns).Watch(context.Background(), metav1.ListOptions{})
	if err != nil {
		b.Fatal(err)
	}
	iw := &ipWatch{have: map[string]bool{}, w: w}
	go func() {
		for ev := range w.ResultChan() {
			s, ok := ev.Object.(*corev1.Service)
			if !ok {
				continue
			}
			iw.mu.Lock()
			iw.have[s.Name] = ev.Type != watch.Deleted && len(s.Status.LoadBalancer.Ingress) > 0
			iw.mu.Unlock()
		}
	}()
	return iw
}

func (iw *ipWatch) count() int {
	iw.mu.Lock()
	defer iw.mu.Unlock()
	n := 0
	for _, ok := range iw.have {
		if ok {
			n++
		}
	}
	return n
}

func (iw *ipWatch) stop() { iw.w.Stop() }

type version struct{ rv, ip string }

func serviceVersions(b *testing.B, cs kubernetes.Interface, ns string) map[string]version {
	list, err := cs.CoreV1().Services(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		b.Fatal(err)
	}
	out := map[string]version{}
	for _, s := range list.Items {
		v := version{rv: s.ResourceVersion}
		if len(s.Status.LoadBalancer.Ingress) > 0 {
			v.ip = s.Status.LoadBalancer.Ingress[0].IP
		}
		out[s.Name] = v
	}
	return out
}

func waitUntil(b *testing.B, d time.Duration, what string, cond func() bool) {
	b.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			b.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func freeHostPort(b *testing.B) string {
	b.Helper()
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
