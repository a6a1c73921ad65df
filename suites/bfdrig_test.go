package suites

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/bgplb/bgplb/api/v1beta2"
	"github.com/bgplb/bgplb/scenarios"
	"github.com/bgplb/bgplb/scenarios/runner"
	"github.com/bgplb/bgplb/topologies/backend"
	"github.com/bgplb/bgplb/topologies/model"
)

// The BFD rig on bfd-pair, shared by BenchmarkBFDFailover and the BFD profiles
// spec: retune both ends live, freeze the speaker, time r1's FIB.

// stepper runs a step: Lab.RunStep, or Recorder.Step to put it on a timeline.
type stepper func(context.Context, scenarios.Step) runner.StepResult

// profiles measures runs failovers at each of 300, 100 and 50 ms x3, then
// baseRuns with BFD off (the 3 s/9 s hold timer), the last row. It leaves BFD off.
func profiles(ctx context.Context, l *runner.Lab, step stepper, fib *runner.FIB, p netip.Prefix, runs, baseRuns int) ([]failoverRow, error) {
	var rows []failoverRow
	for _, ms := range []int{300, 100, 50} {
		theory, err := setBFD(ctx, l, step, ms)
		if err != nil {
			return nil, err
		}
		// FRR keeps the previous detection time until its side of the Poll
		// sequence settles (seen as one 0.9 s run right after 300 -> 100): let it.
		time.Sleep(3 * time.Second)
		ds, err := failovers(ctx, step, fib, p, runs, true)
		if err != nil {
			return nil, err
		}
		rows = append(rows, summarize(fmt.Sprintf("BFD %dms x3", ms), theory, ds))
	}
	if err := bfdOff(ctx, l); err != nil {
		return nil, err
	}
	ds, err := failovers(ctx, step, fib, p, baseRuns, false)
	if err != nil {
		return nil, err
	}
	return append(rows, summarize("hold timer 3s/9s (no BFD)", 9*time.Second, ds)), nil
}

type failoverRow struct {
	Profile     string  `json:"profile"`
	Runs        int     `json:"runs"`
	TheoryS     float64 `json:"theorySeconds"`
	MedianS     float64 `json:"medianSeconds"`
	MaxS        float64 `json:"maxSeconds"`
	MedianRatio float64 `json:"medianRatio"`
	MaxRatio    float64 `json:"maxRatio"`
}

func summarize(name string, theory time.Duration, ds []time.Duration) failoverRow {
	slices.Sort(ds)
	med := ds[len(ds)/2]
	if len(ds)%2 == 0 {
		med = (ds[len(ds)/2-1] + ds[len(ds)/2]) / 2
	}
	mx := ds[len(ds)-1]
	return failoverRow{Profile: name, Runs: len(ds), TheoryS: theory.Seconds(), MedianS: med.Seconds(), MaxS: mx.Seconds(),
		MedianRatio: med.Seconds() / theory.Seconds(), MaxRatio: mx.Seconds() / theory.Seconds()}
}

// failovers freezes n1's speaker runs times and returns how long r1's FIB kept
// the route each time; after each it thaws and waits until all is back.
func failovers(ctx context.Context, step stepper, fib *runner.FIB, p netip.Prefix, runs int, bfd bool) ([]time.Duration, error) {
	var out []time.Duration
	do := func(name string, kind backend.FaultKind) error {
		res := step(ctx, scenarios.Step{Name: name, Do: scenarios.Action{Fault: &backend.Fault{Kind: kind, Target: "n1", Process: "speaker"}}})
		if res.Error != "" {
			return fmt.Errorf("%s: %s", name, res.Error)
		}
		return nil
	}
	for i := 0; i < runs; i++ {
		start := time.Now()
		if err := do("freeze n1's speaker", backend.FaultFreeze); err != nil {
			return nil, err
		}
		gone, err := fib.WaitNextHops(ctx, p, func(n int) bool { return n == 0 }, 30*time.Second)
		if terr := do("thaw n1's speaker", backend.FaultThaw); terr != nil {
			return nil, terr
		}
		if err != nil {
			return nil, err
		}
		out = append(out, gone.Sub(start))
		if _, err := fib.WaitNextHops(ctx, p, func(n int) bool { return n == 1 }, 60*time.Second); err != nil {
			return nil, err
		}
		if bfd {
			if res := step(ctx, scenarios.Step{Name: "BFD up again", Within: 30 * time.Second,
				Expect: []scenarios.Expectation{scenarios.BFDIs{Router: "r1", PeerNode: "n1", State: "up"}}}); res.Error != "" {
				return nil, fmt.Errorf("run %d: %s", i, res.Error)
			}
		}
	}
	return out, nil
}

// setBFD retunes both ends to ms x3 and returns the detection time r1 applies
// to the speaker, as FRR reports the negotiation.
func setBFD(ctx context.Context, l *runner.Lab, step stepper, ms int) (time.Duration, error) {
	profile := fmt.Sprintf(`apiVersion: metallb.io/v1beta1
kind: BFDProfile
metadata: {name: fast}
spec: {receiveInterval: %d, transmitInterval: %d, detectMultiplier: 3}
`, ms, ms)
	if res := step(ctx, scenarios.Step{Name: fmt.Sprintf("BFD %dms x3", ms), Do: scenarios.Action{Apply: profile}}); res.Error != "" {
		return 0, fmt.Errorf("%s", res.Error)
	}
	if _, err := vtysh(ctx, l, "r1", "configure terminal", "bfd", "profile fast",
		fmt.Sprintf("receive-interval %d", ms), fmt.Sprintf("transmit-interval %d", ms), "detect-multiplier 3"); err != nil {
		return 0, err
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if p, err := frrPeer(ctx, l); err == nil && p.Status == "up" && p.RemoteTx == ms && p.Rx == ms {
			return time.Duration(p.RemoteMult*max(p.Rx, p.RemoteTx)) * time.Millisecond, nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return 0, fmt.Errorf("BFD did not settle at %d ms on r1", ms)
}

// bfdOff removes BFD from both ends, leaving the hold timer as the only detector.
func bfdOff(ctx context.Context, l *runner.Lab) error {
	peer := &v1beta2.BGPPeer{}
	peer.Name, peer.Namespace = "r1", model.Namespace
	if err := l.Client.Patch(ctx, peer, client.RawPatch(types.MergePatchType, []byte(`{"spec":{"bfdProfile":null}}`))); err != nil {
		return err
	}
	st, err := l.Status(ctx)
	if err != nil {
		return err
	}
	var asn uint32
	var addr string
	for _, n := range st.Nodes {
		if n.Name == "r1" {
			asn = n.ASN
		}
	}
	for _, s := range st.Sessions {
		if s.Router == "r1" && s.Neighbor == "n1" {
			addr = s.Address
		}
	}
	if _, err := vtysh(ctx, l, "r1", "configure terminal", "router bgp "+strconv.Itoa(int(asn)), "no neighbor "+addr+" bfd"); err != nil {
		return err
	}
	res := l.RunStep(ctx, scenarios.Step{Name: "session up without BFD", Within: 60 * time.Second, Expect: []scenarios.Expectation{
		scenarios.SessionIs{Router: "r1", Neighbor: "n1", State: "Established"}, scenarios.RouteVia{Router: "r1", Service: "default/demo"}}})
	if res.Error != "" {
		return fmt.Errorf("%s", res.Error)
	}
	return nil
}

type bfdPeer struct {
	Status     string `json:"status"`
	Rx         int    `json:"receive-interval"`
	RemoteTx   int    `json:"remote-transmit-interval"`
	RemoteMult int    `json:"remote-detect-multiplier"`
}

func frrPeer(ctx context.Context, l *runner.Lab) (bfdPeer, error) {
	out, err := vtysh(ctx, l, "r1", "show bfd peers json")
	if err != nil {
		return bfdPeer{}, err
	}
	var ps []bfdPeer
	if err := json.Unmarshal(out, &ps); err != nil || len(ps) != 1 {
		return bfdPeer{}, fmt.Errorf("show bfd peers json: %d peers, %v", len(ps), err)
	}
	return ps[0], nil
}

// vtysh runs FRR commands on router, for what no probe reads and no action does.
func vtysh(ctx context.Context, l *runner.Lab, router string, cmds ...string) ([]byte, error) {
	args := []string{"vtysh"}
	for _, c := range cmds {
		args = append(args, "-c", c)
	}
	var out, errb bytes.Buffer
	if err := l.Backend.Exec(ctx, l.Name, router, args, backend.ExecIO{Stdout: &out, Stderr: &errb}); err != nil {
		return nil, fmt.Errorf("%s %v: %w: %s", router, cmds, err, errb.String())
	}
	return out.Bytes(), nil
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}
