package app_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	api "github.com/osrg/gobgp/v3/api"
	"github.com/osrg/gobgp/v3/pkg/server"
	"google.golang.org/protobuf/types/known/anypb"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
	"github.com/bgplb/bgplb/testing/nsrig"
	"github.com/bgplb/bgplb/topologies/procstat"
)

// MetalLB's native speaker and controller, measured here in one run (LAB-FACTS):
// one Service created -> route in FRR (median), deleted -> withdrawn (median).
const (
	metallbCreateMS = 32.5
	metallbDeleteMS = 0.7
)

// BenchmarkServiceLive goes through the real path: the controller and speaker
// binaries as shipped, each its own process, against a real kube-apiserver, with
// one FRR as the router. Routes are timed where they land: the FRR namespace's
// kernel table, read through `ip monitor route` (FRR's zebra installs what bgpd
// selected), stamped as each line arrives.
//
//  1. Baseline, same run: a bare embedded GoBGP adds (then deletes) one /32 at a
//     time into the same FRR: the router's own propagation time.
//  2. 800 Services (each with an EndpointSlice) created live -> all in FRR: the
//     speaker's CPU-seconds, and the time the apiserver took to create them.
//  3. Steady state at 800: Services created (and then deleted) one at a time,
//     each timed from the create (delete) call to the route in (out of) the FIB.
//  4. 3,200 more created live (4,000 in all): CPU for the 4,000 = step 2 + this.
//  5. Steady state at 4,000, as in 3: the cost of one change must not grow with
//     the number of Services.
//
// Sizes are 800 and 4,000 (5x, as the 1,000 and 5,000) because the lab
// apiserver's Service ClusterIP range then held 4,094 Services (a /19 now).
func BenchmarkServiceLive(b *testing.B) {
	needLab(b)
	cp := controlPlane(b)
	frr := startFRR(b, fmt.Sprintf(`
router bgp %d
 bgp router-id %s
 no bgp ebgp-requires-policy
 timers bgp 3 9
 neighbor %s remote-as %d
`, routerASN, routerIP, speakerIP, speakerASN))
	fib := monitorFIB(b, frr)
	samples := 40
	if s := os.Getenv("BGPLB_BENCH_SAMPLES"); s != "" {
		samples, _ = strconv.Atoi(s)
	}
	for range b.N {
		baseAdd, baseDel := bareLatency(b, frr, fib, samples, 0)
		fmt.Printf("service-live baseline (bare GoBGP -> FRR FIB): add median %.2f ms p99 %.2f ms, withdraw median %.2f ms\n",
			ms(pct(baseAdd, 50)), ms(pct(baseAdd, 99)), ms(pct(baseDel, 50)))
		b.ReportMetric(ms(pct(baseAdd, 50)), "ms-baseline-add-median")
		b.ReportMetric(ms(pct(baseDel, 50)), "ms-baseline-del-median")
		// The same with 4,000 routes already in GoBGP and FRR: what the router side
		// alone costs at the scale of the @4000 figures.
		scaleAdd, scaleDel := bareLatency(b, frr, fib, samples, 4000)
		fmt.Printf("service-live baseline @4000 routes (bare GoBGP -> FRR FIB): add median %.2f ms p99 %.2f ms, withdraw median %.2f ms\n",
			ms(pct(scaleAdd, 50)), ms(pct(scaleAdd, 99)), ms(pct(scaleDel, 50)))
		b.ReportMetric(ms(pct(scaleAdd, 50)), "ms-baseline-add-median@4000")
		b.ReportMetric(ms(pct(scaleDel, 50)), "ms-baseline-del-median@4000")
		liveOnce(b, cp.Kubeconfig(), fib, samples, baseAdd, baseDel)
	}
}

func liveOnce(b *testing.B, kubeconfig string, fib *fibWatch, samples int, baseAdd, baseDel []time.Duration) {
	cfg := controlPlane(b).RESTConfig()
	cfg.QPS, cfg.Burst = 2000, 4000
	cs := kubernetes.NewForConfigOrDie(cfg)
	c := newClient(b, cfg)
	ctx := context.Background()
	run := fmt.Sprintf("%d", time.Now().UnixNano()%100000)
	cfgNS, svcNS, node := "live-system-"+run, "live-"+run, "live-node-"+run
	for _, n := range []string{cfgNS, svcNS} {
		must(b, c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: n}}))
	}
	nd := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: node, Labels: map[string]string{"kubernetes.io/hostname": node}}}
	must(b, c.Create(ctx, nd))
	nd.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: speakerIP}}
	must(b, c.Status().Update(ctx, nd))
	must(b, c.Create(ctx, &v1beta1.IPAddressPool{ObjectMeta: metav1.ObjectMeta{Namespace: cfgNS, Name: "vips"},
		Spec: v1beta1.IPAddressPoolSpec{Addresses: []string{"198.18.0.0/16"}}}))
	must(b, c.Create(ctx, &v1beta2.BGPPeer{ObjectMeta: metav1.ObjectMeta{Namespace: cfgNS, Name: "router"},
		Spec: v1beta2.BGPPeerSpec{MyASN: speakerASN, ASN: routerASN, Address: routerIP, HoldTime: &metav1.Duration{Duration: 9 * time.Second}}}))
	must(b, c.Create(ctx, &v1beta1.BGPAdvertisement{ObjectMeta: metav1.ObjectMeta{Namespace: cfgNS, Name: "adv"}}))

	dir := b.TempDir()
	for _, cmd := range []string{"speaker", "controller"} {
		build := exec.Command("go", "build", "-o", filepath.Join(dir, cmd), "github.com/bgplb/bgplb/cmd/"+cmd)
		build.Stderr = os.Stderr
		must(b, build.Run())
	}
	startProc(b, filepath.Join(dir, "controller"), "--kubeconfig", kubeconfig, "--namespace", cfgNS, "--leader-elect=false",
		"--metrics-addr", "0", "--health-addr", "0", "--log-level", "warn")
	metrics := freeAddr(b)
	args := []string{"--kubeconfig", kubeconfig, "--namespace", cfgNS, "--node-name", node, "--metrics-addr", metrics, "--log-level", "warn"}
	profiling := os.Getenv("BGPLB_BENCH_PPROF") != ""
	if profiling {
		args = append(args, "--pprof")
	}
	speaker := startProc(b, filepath.Join(dir, "speaker"), args...)
	nsrig.WaitFor(b, time.Minute, "speaker session up at FRR", func() bool { return frrReceived(b, fib.ns) == 0 })

	// retry: under load the apiserver may time a create out; a create that then
	// finds the object there counts as done.
	retry := func(what string, fn func() error) error {
		var err error
		for i := range 5 {
			if err = fn(); err == nil || apierrors.IsAlreadyExists(err) {
				return nil
			}
			fmt.Printf("service-live: %s: %v (try %d)\n", what, err, i+1)
			time.Sleep(time.Duration(i+1) * 200 * time.Millisecond)
		}
		return err
	}
	mk := func(name string) error {
		return retry("create slice "+name, func() error {
			return c.Create(ctx, &discoveryv1.EndpointSlice{
				ObjectMeta:  metav1.ObjectMeta{Namespace: svcNS, Name: name + "-1", Labels: map[string]string{discoveryv1.LabelServiceName: name}},
				AddressType: discoveryv1.AddressTypeIPv4,
				Endpoints: []discoveryv1.Endpoint{{Addresses: []string{"10.0.0.1"}, NodeName: ptr.To(node),
					Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(true)}}},
			})
		})
	}
	svc := func(name string) *corev1.Service {
		return &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: svcNS, Name: name},
			// No NodePorts: the apiserver's 2,768 would run out before 5,000 Services.
			Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Selector: map[string]string{"app": "x"},
				AllocateLoadBalancerNodePorts: ptr.To(false),
				Ports:                         []corev1.ServicePort{{Protocol: corev1.ProtocolTCP, Port: 80, TargetPort: intstr.FromInt32(80)}}}}
	}
	bulk := func(from, to int) (created, converged, cpu time.Duration) {
		cpu0, start := procCPU(speaker.Process.Pid), time.Now()
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := from + w; i < to; i += 8 {
					name := fmt.Sprintf("bulk-%05d", i)
					err := mk(name)
					if err == nil {
						err = retry("create service "+name, func() error {
							_, err := cs.CoreV1().Services(svcNS).Create(ctx, svc(name), metav1.CreateOptions{})
							return err
						})
					}
					if err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		created = time.Since(start)
		if b.Failed() {
			b.FailNow()
		}
		nsrig.WaitFor(b, 10*time.Minute, fmt.Sprintf("%d routes in FRR's FIB", to), func() bool { return fib.count() >= to })
		return created, time.Since(start), procCPU(speaker.Process.Pid) - cpu0
	}
	steady := func(tag string) (add, del, assign []time.Duration) {
		var names []string
		var pfx []netip.Prefix
		assigned := watchAssigned(b, cs, svcNS)
		defer assigned.stop()
		for i := range samples {
			name := fmt.Sprintf("one-%s-%03d", tag, i)
			must(b, mk(name))
			time.Sleep(50 * time.Millisecond) // idle: the speaker has seen the slice
			mark := fib.mark()
			start := time.Now()
			if _, err := cs.CoreV1().Services(svcNS).Create(ctx, svc(name), metav1.CreateOptions{}); err != nil {
				b.Fatal(err)
			}
			p, at := fib.addAfter(b, mark)
			add = append(add, at.Sub(start))
			assign = append(assign, assigned.at(b, name).Sub(start))
			names, pfx = append(names, name), append(pfx, p)
		}
		for i, name := range names {
			time.Sleep(50 * time.Millisecond)
			start := time.Now()
			must(b, cs.CoreV1().Services(svcNS).Delete(ctx, name, metav1.DeleteOptions{}))
			del = append(del, fib.waitDel(b, pfx[i]).Sub(start))
		}
		return add, del, assign
	}

	created1k, conv1k, cpu1k := bulk(0, 800)
	add1k, del1k, as1k := steady("1k")
	var prof func()
	if profiling { // BGPLB_BENCH_PPROF=1: the speaker's CPU profile while 4,000 are created live
		prof = speakerProfile(metrics, "out/bench/speaker-live-4000.pprof")
	}
	created4k, conv4k, cpu4k := bulk(800, 4000)
	if prof != nil {
		prof()
	}
	add5k, del5k, as5k := steady("5k")
	cpu5k := cpu1k + cpu4k
	rss := procRSS(speaker.Process.Pid)

	fmt.Printf("service-live: 800 created live: apiserver created them (with their slices) in %.1f s, all in FRR after %.1f s, speaker CPU %.2f s\n",
		created1k.Seconds(), conv1k.Seconds(), cpu1k.Seconds())
	fmt.Printf("service-live: 3,200 more (4,000): created in %.1f s, all in FRR after %.1f s, speaker CPU %.2f s; CPU 4,000/800 = %.2fx (linear: 5x)\n",
		created4k.Seconds(), conv4k.Seconds(), cpu4k.Seconds(), cpu5k.Seconds()/cpu1k.Seconds())
	for _, r := range []struct {
		at       string
		add, del []time.Duration
		assign   []time.Duration
	}{{"800", add1k, del1k, as1k}, {"4000", add5k, del5k, as5k}} {
		fmt.Printf("service-live @%s Services: create -> FIB median %.1f ms p99 %.1f ms (bare GoBGP %.1f ms, MetalLB anchor %.1f ms); delete -> withdrawn median %.1f ms (bare GoBGP %.1f ms, MetalLB anchor %.1f ms)\n",
			r.at, ms(pct(r.add, 50)), ms(pct(r.add, 99)), ms(pct(baseAdd, 50)), metallbCreateMS, ms(pct(r.del, 50)), ms(pct(baseDel, 50)), metallbDeleteMS)
		fmt.Printf("service-live @%s Services: of which create -> IP in status (controller, seen by a watch) median %.1f ms p99 %.1f ms\n",
			r.at, ms(pct(r.assign, 50)), ms(pct(r.assign, 99)))
		b.ReportMetric(ms(pct(r.assign, 50)), "ms-assign-median@"+r.at)
		b.ReportMetric(ms(pct(r.add, 50)), "ms-create-median@"+r.at)
		b.ReportMetric(ms(pct(r.add, 99)), "ms-create-p99@"+r.at)
		b.ReportMetric(ms(pct(r.del, 50)), "ms-delete-median@"+r.at)
	}
	b.ReportMetric(cpu1k.Seconds(), "cpu-s@800")
	b.ReportMetric(cpu5k.Seconds(), "cpu-s@4000")
	b.ReportMetric(cpu5k.Seconds()/cpu1k.Seconds(), "cpu-4000/800")
	b.ReportMetric(created1k.Seconds(), "s-apiserver-create-800")
	b.ReportMetric(conv1k.Seconds(), "s-in-FRR-800")
	b.ReportMetric(float64(rss>>20), "MiB-speaker-RSS@4000")
}

// speakerProfile takes a 10 s CPU profile of the speaker into file (relative to
// the repository root); the returned function waits for it.
func speakerProfile(metrics, file string) func() {
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := http.Get("http://" + metrics + "/debug/pprof/profile?seconds=10")
		if err != nil {
			fmt.Println("pprof:", err)
			return
		}
		defer resp.Body.Close()
		out := filepath.Join("..", "..", file)
		_ = os.MkdirAll(filepath.Dir(out), 0o755)
		f, err := os.Create(out)
		if err != nil {
			fmt.Println("pprof:", err)
			return
		}
		defer f.Close()
		_, _ = io.Copy(f, resp.Body)
		fmt.Println("pprof: wrote", file)
	}()
	return func() { <-done }
}

// bareLatency: a bare embedded GoBGP, peered with the same FRR as the speaker
// will be, adds one /32 at a time and then deletes them; each timed to the FIB.
func bareLatency(b *testing.B, frr string, fib *fibWatch, n, preload int) (add, del []time.Duration) {
	ctx := context.Background()
	s := server.NewBgpServer()
	go s.Serve()
	defer s.Stop()
	must(b, s.StartBgp(ctx, &api.StartBgpRequest{Global: &api.Global{Asn: speakerASN, RouterId: speakerIP, ListenPort: -1}}))
	must(b, s.AddPeer(ctx, &api.AddPeerRequest{Peer: &api.Peer{
		Conf:   &api.PeerConf{NeighborAddress: routerIP, PeerAsn: routerASN},
		Timers: &api.Timers{Config: &api.TimersConfig{ConnectRetry: 1, HoldTime: 9, KeepaliveInterval: 3}},
	}}))
	nsrig.WaitFor(b, 30*time.Second, "baseline session up", func() bool { return frrReceived(b, frr) == 0 })
	origin, _ := anypb.New(&api.OriginAttribute{Origin: 0})
	nh, _ := anypb.New(&api.NextHopAttribute{NextHop: speakerIP})
	fam := &api.Family{Afi: api.Family_AFI_IP, Safi: api.Family_SAFI_UNICAST}
	path := func(i int) *api.Path {
		nlri, _ := anypb.New(&api.IPAddressPrefix{Prefix: fmt.Sprintf("198.19.255.%d", i+1), PrefixLen: 32})
		return &api.Path{Family: fam, Nlri: nlri, Pattrs: []*anypb.Any{origin, nh}}
	}
	for i := range preload { // 198.19.0.0 upwards; the samples use 198.19.255.x
		nlri, _ := anypb.New(&api.IPAddressPrefix{Prefix: netip.AddrFrom4([4]byte{198, 19, byte(i >> 8), byte(i)}).String(), PrefixLen: 32})
		if _, err := s.AddPath(ctx, &api.AddPathRequest{Path: &api.Path{Family: fam, Nlri: nlri, Pattrs: []*anypb.Any{origin, nh}}}); err != nil {
			b.Fatal(err)
		}
	}
	if preload > 0 {
		nsrig.WaitFor(b, time.Minute, "FRR has the preloaded routes", func() bool { return frrReceived(b, frr) >= preload })
	}
	for i := range n {
		time.Sleep(50 * time.Millisecond)
		mark := fib.mark()
		start := time.Now()
		if _, err := s.AddPath(ctx, &api.AddPathRequest{Path: path(i)}); err != nil {
			b.Fatal(err)
		}
		_, at := fib.addAfter(b, mark)
		add = append(add, at.Sub(start))
	}
	for i := range n {
		time.Sleep(50 * time.Millisecond)
		start := time.Now()
		must(b, s.DeletePath(ctx, &api.DeletePathRequest{Family: fam, Path: path(i)}))
		del = append(del, fib.waitDel(b, netip.MustParsePrefix(fmt.Sprintf("198.19.255.%d/32", i+1))).Sub(start))
	}
	must(b, s.DeletePeer(ctx, &api.DeletePeerRequest{Address: routerIP}))
	nsrig.WaitFor(b, time.Minute, "FRR drops the baseline session", func() bool { return frrReceived(b, frr) == -1 })
	return add, del
}

// fibWatch follows `ip -n NS monitor route` and stamps every /32 added to or
// deleted from the namespace's kernel table as the line arrives.
type fibWatch struct {
	ns    string
	mu    sync.Mutex
	cond  *sync.Cond
	in    map[netip.Prefix]bool
	order []netip.Prefix // adds in arrival order
	addAt []time.Time
	delAt map[netip.Prefix]time.Time
}

func monitorFIB(b *testing.B, ns string) *fibWatch {
	cmd := exec.Command("ip", "-n", ns, "monitor", "route")
	out, err := cmd.StdoutPipe()
	must(b, err)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	must(b, cmd.Start())
	b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	f := &fibWatch{ns: ns, in: map[netip.Prefix]bool{}, delAt: map[netip.Prefix]time.Time{}}
	f.cond = sync.NewCond(&f.mu)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			now := time.Now()
			fields := strings.Fields(sc.Text())
			deleted := len(fields) > 0 && fields[0] == "Deleted"
			if deleted {
				fields = fields[1:]
			}
			if len(fields) == 0 || !strings.Contains(sc.Text(), "proto bgp") {
				continue
			}
			p, err := netip.ParsePrefix(fields[0])
			if err != nil {
				a, err2 := netip.ParseAddr(fields[0])
				if err2 != nil {
					continue
				}
				p = netip.PrefixFrom(a, a.BitLen())
			}
			f.mu.Lock()
			switch {
			case deleted:
				delete(f.in, p)
				f.delAt[p] = now
			case !f.in[p]:
				f.in[p] = true
				f.order = append(f.order, p)
				f.addAt = append(f.addAt, now)
				delete(f.delAt, p)
			}
			f.cond.Broadcast()
			f.mu.Unlock()
		}
	}()
	return f
}

func (f *fibWatch) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.in)
}

// mark is how many adds have been seen so far; addAfter waits for the first add
// after a mark (the one-at-a-time steps take a mark just before their change).
func (f *fibWatch) mark() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.order)
}

func (f *fibWatch) addAfter(b *testing.B, mark int) (netip.Prefix, time.Time) {
	deadline := time.AfterFunc(30*time.Second, func() { f.mu.Lock(); f.cond.Broadcast(); f.mu.Unlock() })
	defer deadline.Stop()
	start := time.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	for len(f.order) <= mark {
		if time.Since(start) > 30*time.Second {
			b.Fatal("no route reached FRR's FIB within 30 s")
		}
		f.cond.Wait()
	}
	return f.order[mark], f.addAt[mark]
}

func (f *fibWatch) waitDel(b *testing.B, p netip.Prefix) time.Time {
	deadline := time.AfterFunc(30*time.Second, func() { f.mu.Lock(); f.cond.Broadcast(); f.mu.Unlock() })
	defer deadline.Stop()
	start := time.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	for {
		if at, ok := f.delAt[p]; ok {
			return at
		}
		if time.Since(start) > 30*time.Second {
			b.Fatalf("%s not withdrawn from FRR's FIB within 30 s", p)
		}
		f.cond.Wait()
	}
}

func startProc(b *testing.B, bin string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	must(b, cmd.Start())
	b.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	return cmd
}

// procCPU is the user+system CPU time of a running process (0 once it is gone).
func procCPU(pid int) time.Duration {
	st, err := procstat.Read(pid)
	if err != nil {
		return 0
	}
	return st.CPUTime()
}

func procRSS(pid int) uint64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseUint(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[min(max(i-1, 0), len(s)-1)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// assignWatch stamps, from one watch on a namespace, when each Service first
// showed an ingress IP in its status: the controller's share of create -> FIB.
type assignWatch struct {
	mu   sync.Mutex
	cond *sync.Cond
	seen map[string]time.Time
	stop func()
}

func watchAssigned(b *testing.B, cs kubernetes.Interface, ns string) *assignWatch {
	ctx, cancel := context.WithCancel(context.Background())
	w, err := cs.CoreV1().Services(ns).Watch(ctx, metav1.ListOptions{})
	if err != nil {
		b.Fatal(err)
	}
	a := &assignWatch{seen: map[string]time.Time{}, stop: func() { cancel(); w.Stop() }}
	a.cond = sync.NewCond(&a.mu)
	go func() {
		for ev := range w.ResultChan() {
			now := time.Now()
			svc, ok := ev.Object.(*corev1.Service)
			if !ok || len(svc.Status.LoadBalancer.Ingress) == 0 {
				continue
			}
			a.mu.Lock()
			if _, done := a.seen[svc.Name]; !done {
				a.seen[svc.Name] = now
				a.cond.Broadcast()
			}
			a.mu.Unlock()
		}
	}()
	return a
}

// at waits (at most 10 s) for name's first assignment and returns when it was seen.
func (a *assignWatch) at(b *testing.B, name string) time.Time {
	timer := time.AfterFunc(10*time.Second, func() { a.mu.Lock(); a.cond.Broadcast(); a.mu.Unlock() })
	defer timer.Stop()
	deadline := time.Now().Add(10 * time.Second)
	a.mu.Lock()
	defer a.mu.Unlock()
	for {
		if t, ok := a.seen[name]; ok {
			return t
		}
		if time.Now().After(deadline) {
			b.Fatalf("service %s: no IP in status after 10 s", name)
		}
		a.cond.Wait()
	}
}
