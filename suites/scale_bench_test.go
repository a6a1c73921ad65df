package suites

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/bgplb/bgplb/scenarios/runner"
	"github.com/bgplb/bgplb/testing/labtest"
	"github.com/bgplb/bgplb/topologies/procstat"
	"github.com/bgplb/bgplb/topologies/serviceplane"
)

// scalePool is the VIP pool of the generated scale labs (RFC 2544 benchmark range).
var scalePool = netip.MustParsePrefix("198.18.0.0/16")

// BenchmarkScale is issue 19's scale run: two FRR routers and N k8s nodes (a
// speaker each) on one LAN; S LoadBalancer Services are created at once, and the
// figure is the time until BOTH routers' kernels hold every Service's route with
// one next hop per node, next to the total CPU the N speakers spent. It runs at
// each size of BGPLB_BENCH_SCALE_NODES (default 10,50) with
// BGPLB_BENCH_SCALE_SERVICES Services (default 5000), and prints how time and
// speaker CPU grow from the first size to the last. The baseline of the same run
// is the apiserver's own create rate: the time to create the Services.
func BenchmarkScale(b *testing.B) {
	if reason := cannotRun(); reason != "" {
		b.Skip(reason)
	}
	labtest.Serialize(b)
	sizes := envInts(b, "BGPLB_BENCH_SCALE_NODES", []int{10, 50})
	services := envInt("BGPLB_BENCH_SCALE_SERVICES", 5000)
	type row struct {
		nodes          int
		created, inFIB time.Duration
		speakerCPU     time.Duration
		perSpeakerCPU  time.Duration
	}
	var rows []row
	for range b.N {
		for _, n := range sizes {
			created, inFIB, cpu := scaleOnce(b, n, services)
			r := row{nodes: n, created: created, inFIB: inFIB, speakerCPU: cpu, perSpeakerCPU: cpu / time.Duration(n)}
			rows = append(rows, r)
			fmt.Printf("scale %d nodes x %d Services: created in %.1f s (apiserver), on both routers with %d next hops after %.1f s, speakers' CPU %.1f s (%.2f s each)\n",
				n, services, created.Seconds(), n, inFIB.Seconds(), cpu.Seconds(), r.perSpeakerCPU.Seconds())
			b.ReportMetric(inFIB.Seconds(), fmt.Sprintf("s-both-routers@%dnodes", n))
			b.ReportMetric(created.Seconds(), fmt.Sprintf("s-apiserver-create@%dnodes", n))
			b.ReportMetric(cpu.Seconds(), fmt.Sprintf("cpu-s-speakers@%dnodes", n))
		}
	}
	if len(rows) >= 2 {
		first, last := rows[0], rows[len(rows)-1]
		fmt.Printf("scale growth %d -> %d nodes (%.1fx): time %.2fx, total speaker CPU %.2fx, CPU per speaker %.2fx\n",
			first.nodes, last.nodes, float64(last.nodes)/float64(first.nodes),
			last.inFIB.Seconds()/first.inFIB.Seconds(), last.speakerCPU.Seconds()/first.speakerCPU.Seconds(),
			last.perSpeakerCPU.Seconds()/first.perSpeakerCPU.Seconds())
	}
}

// scaleOnce brings up a lab of n nodes, creates services Services and measures.
func scaleOnce(b *testing.B, n, services int) (created, inFIB, speakerCPU time.Duration) {
	ctx := context.Background()
	topo := filepath.Join(b.TempDir(), "scale.yaml")
	if err := os.WriteFile(topo, []byte(scaleTopology(n)), 0o644); err != nil {
		b.Fatal(err)
	}
	l, err := runner.Up(ctx, runner.Options{Topology: topo, RepoDir: repo})
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		if err := l.Down(context.Background()); err != nil {
			b.Error(err)
		}
	}()
	var fibs []*runner.FIB
	for _, r := range []string{"r1", "r2"} {
		f, err := l.OpenFIB(ctx, r)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		fibs = append(fibs, f)
	}
	// The demo Service is announced by every node once the sessions are up.
	base := waitRoutes(b, fibs, n, 1, 2*time.Minute)
	cpu0 := speakersCPU(b, l.Record.Kubeconfig)

	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, services)
	for w := range 8 { // as a deployment tool would: several writers at once
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < services; i += 8 {
				svc := &corev1.Service{
					ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: fmt.Sprintf("scale-%d", i),
						Annotations: map[string]string{serviceplane.AnnotationBackends: "n1"}},
					Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer,
						Ports: []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromInt32(80), Protocol: corev1.ProtocolTCP}}},
				}
				if err := l.Client.Create(ctx, svc); err != nil {
					errs <- fmt.Errorf("create %s: %w", svc.Name, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	created = time.Since(start)
	waitRoutes(b, fibs, n, base+services, 10*time.Minute)
	inFIB = time.Since(start)
	return created, inFIB, speakersCPU(b, l.Record.Kubeconfig) - cpu0
}

// waitRoutes waits until every router's FIB holds at least want pool routes, each
// with nodes next hops, and returns how many it held.
func waitRoutes(b *testing.B, fibs []*runner.FIB, nodes, want int, limit time.Duration) int {
	deadline := time.Now().Add(limit)
	for {
		complete, got := 0, 0
		for _, f := range fibs {
			rs, err := f.Within(scalePool)
			if err != nil {
				b.Fatal(err)
			}
			full := 0
			for _, hops := range rs {
				if hops == nodes {
					full++
				}
			}
			if full >= want {
				complete++
			}
			got = full
		}
		if complete == len(fibs) {
			return got
		}
		if time.Now().After(deadline) {
			b.Fatalf("after %s: %d of %d routers hold %d routes with %d next hops (last: %d)", limit, complete, len(fibs), want, nodes, got)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// speakersCPU sums the CPU time of this lab's speaker processes (found by the
// kubeconfig they were started with).
func speakersCPU(b *testing.B, kubeconfig string) time.Duration {
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		b.Fatal(err)
	}
	var total time.Duration
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		cmd, err := os.ReadFile(filepath.Join("/proc", d.Name(), "cmdline"))
		if err != nil {
			continue
		}
		args := strings.Split(string(cmd), "\x00")
		if len(args) == 0 || filepath.Base(args[0]) != "speaker" || !strings.Contains(string(cmd), kubeconfig) {
			continue
		}
		if st, err := procstat.Read(pid); err == nil {
			total += st.CPUTime()
		}
	}
	return total
}

// scaleTopology is two FRR routers and n nodes on one LAN, every node peering
// with both routers; maximum-paths n so every node is a next hop.
func scaleTopology(n int) string {
	var nodes, lan strings.Builder
	lan.WriteString("r1, r2")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&nodes, "  - {name: n%d, group: workers}\n", i)
		fmt.Fprintf(&lan, ", n%d", i)
	}
	return fmt.Sprintf(`name: scale%d
description: generated by BenchmarkScale
pools:
  vip: [%s]
kinds:
  frr:
    asn: 64512
    maximumPaths: %d
    speakers: {holdTime: 9s, keepaliveTime: 3s}
groups:
  workers: {role: k8s-node, asn: 64513}
nodes:
  - {name: r1, kind: frr}
  - {name: r2, kind: frr}
%slinks:
  - {name: lan, endpoints: [%s]}
`, n, scalePool, n, nodes.String(), lan.String())
}

// envInts reads a comma-separated list of sizes.
func envInts(b *testing.B, name string, def []int) []int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	var out []int
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			b.Fatalf("%s=%q: want sizes like 10,50", name, v)
		}
		out = append(out, n)
	}
	return out
}
