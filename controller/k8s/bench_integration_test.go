package k8s_test

import (
	"context"
	"fmt"
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
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/client"

	apischeme "github.com/bgplb/bgplb/api/scheme"
	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/topologies/procstat"
)

// procCPU is the user+system CPU time of a running process (0 once it is gone).
func procCPU(pid int) time.Duration {
	st, err := procstat.Read(pid)
	if err != nil {
		return 0
	}
	return st.CPUTime()
}

// MetalLB v0.16.1 on this kind of machine (../shared/LAB-FACTS.md): 2,000
// LoadBalancer Services created -> all have IPs in 22.2 s (about 90/s), 4.7 ms of
// controller CPU per Service.
const (
	benchServices      = 2000
	metallbSeconds     = 22.2
	metallbCPUPerSvcMS = 4.7
)

// BenchmarkControllerServices creates 2,000 LoadBalancer Services against the real
// apiserver while the controller binary runs as its own process (so its CPU time is
// its own, as MetalLB's was measured), and reports the seconds until every Service
// has an IP, Services per second and controller CPU-seconds, with the ratio to
// MetalLB. Run it with `make bench-controller`.
func BenchmarkControllerServices(b *testing.B) {
	for i := 0; i < b.N; i++ {
		benchOnce(b)
	}
}

func benchOnce(b *testing.B) {
	b.Helper()
	b.StopTimer()
	cp := controlPlane(b)
	dir := b.TempDir()
	bin := filepath.Join(dir, "controller")
	build := exec.Command("go", "build", "-o", bin, "github.com/bgplb/bgplb/cmd/controller")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		b.Fatalf("build controller: %v", err)
	}
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
	pool := &v1beta1.IPAddressPool{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "bulk"},
		Spec: v1beta1.IPAddressPoolSpec{Addresses: []string{"198.18.0.0/20"}}}
	if err := c.Create(ctx, pool); err != nil {
		b.Fatal(err)
	}

	args := []string{"--kubeconfig", cp.Kubeconfig(), "--namespace", ns, "--leader-elect=false",
		"--metrics-addr", "0", "--health-addr", "0", "--log-level", "warn"}
	if a := os.Getenv("BGPLB_BENCH_PPROF"); a != "" { // the controller's CPU profile while the Services are created
		args = append(args, "--pprof-addr", a)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}
	b.Cleanup(func() {
		stop()
		// Services have no deletecollection; later tests must not see these.
		for i := range benchServices {
			_ = cs.CoreV1().Services(svcNS).Delete(context.Background(), fmt.Sprintf("svc-%04d", i), metav1.DeleteOptions{})
		}
	})
	time.Sleep(2 * time.Second) // controller up, config loaded: measure allocation, not start-up
	cpuBefore := procCPU(cmd.Process.Pid)

	profiled := cpuProfile("controller-services")
	b.StartTimer()
	begin := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, benchServices)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < benchServices; i += 8 {
				s := &corev1.Service{
					ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("svc-%04d", i)},
					Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Selector: map[string]string{"app": "x"},
						Ports: []corev1.ServicePort{{Protocol: corev1.ProtocolTCP, Port: 80, TargetPort: intstr.FromInt32(80)}}},
				}
				if _, err := cs.CoreV1().Services(svcNS).Create(ctx, s, metav1.CreateOptions{}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	created := time.Since(begin)
	close(errs)
	for err := range errs {
		b.Fatalf("create: %v", err)
	}
	deadline := time.Now().Add(5 * time.Minute)
	for {
		list, err := cs.CoreV1().Services(svcNS).List(ctx, metav1.ListOptions{})
		if err != nil {
			b.Fatal(err)
		}
		have := 0
		for _, s := range list.Items {
			if len(s.Status.LoadBalancer.Ingress) > 0 {
				have++
			}
		}
		if have == benchServices {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("only %d of %d Services have an IP after 5 minutes", have, benchServices)
		}
		time.Sleep(100 * time.Millisecond)
	}
	all := time.Since(begin)
	b.StopTimer()
	profiled()
	cpu := procCPU(cmd.Process.Pid) - cpuBefore
	stop()

	secs := all.Seconds()
	perSvcMS := cpu.Seconds() * 1000 / benchServices
	b.ReportMetric(secs, "s-all-have-IP")
	b.ReportMetric(benchServices/secs, "services/s")
	b.ReportMetric(cpu.Seconds(), "controller-CPU-s")
	b.ReportMetric(perSvcMS, "ms-CPU-per-Service")
	b.Logf("%d Services: created in %.1f s; all have an IP after %.2f s = %.0f services/s; controller CPU %.2f s (%.2f ms per Service)",
		benchServices, created.Seconds(), secs, benchServices/secs, cpu.Seconds(), perSvcMS)
	b.Logf("MetalLB v0.16.1 anchor: %.1f s (%.0f/s), %.1f ms CPU per Service -> ratio time %.2fx (MetalLB/ours), CPU %.2fx",
		metallbSeconds, benchServices/metallbSeconds, metallbCPUPerSvcMS, metallbSeconds/secs, metallbCPUPerSvcMS/perSvcMS)
}
