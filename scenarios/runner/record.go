package runner

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bgplb/bgplb/scenarios"
	"github.com/bgplb/bgplb/scenarios/timeline"
	"github.com/bgplb/bgplb/topologies/model"
)

// Recorder runs a scenario's steps while sampling the lab for its timeline: every
// router's next hops toward the Service and its session and BFD state changes, and
// (when clients are given) the clients' request success.
type Recorder struct {
	l       *Lab
	sc      scenarios.Scenario
	start   time.Time
	traffic *Traffic
	stop    context.CancelFunc
	done    chan struct{}
	fibDone chan struct{}

	mu     sync.Mutex
	tracks map[string]*timeline.Track
	order  []string
	states map[string]string // router/neighbor key -> last state
	marks  []timeline.Mark
	steps  []StepResult
	// sampleErrs counts lab reads that failed (their samples are missing).
	sampleErrs    int
	lastSampleErr string
}

// StepResult is one step's outcome: how long its expectations took to hold.
type StepResult struct {
	Name  string        `json:"name"`
	Took  time.Duration `json:"took"`
	Error string        `json:"error,omitempty"`
}

// recordLimit bounds a recording: the sampler and traffic stop by themselves.
const recordLimit = 10 * time.Minute

// StartRecording starts recording sc. Clients send one request each every 200 ms to the
// Service's IP (which must be known by then: await HasIP first).
func (l *Lab) StartRecording(ctx context.Context, sc scenarios.Scenario, clients []string) (*Recorder, error) {
	if sc.Service == "" {
		sc.Service = "default/demo"
	}
	r := &Recorder{l: l, sc: sc, start: time.Now(), tracks: map[string]*timeline.Track{},
		states: map[string]string{}, done: make(chan struct{})}
	if len(clients) > 0 {
		v, _, err := l.View(ctx)
		if err != nil {
			return nil, err
		}
		ips := v.Services[sc.Service]
		if len(ips) == 0 {
			return nil, fmt.Errorf("runner: %s has no IP to send traffic to", sc.Service)
		}
		r.traffic = l.StartTraffic(ctx, clients, ips[0], 200*time.Millisecond, recordLimit)
	}
	v, st, err := l.View(ctx)
	if err != nil {
		return nil, err
	}
	fibs := map[string]*FIB{}
	for _, n := range st.Nodes {
		if n.Role != model.RoleRouter {
			continue
		}
		if fibs[n.Name], err = l.OpenFIB(ctx, n.Name); err != nil {
			return nil, err
		}
	}
	var ip netip.Addr
	if ips := v.Services[sc.Service]; len(ips) > 0 {
		ip, _ = netip.ParseAddr(ips[0])
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordLimit)
	r.stop = cancel
	r.fibDone = make(chan struct{})
	go r.sample(sctx)
	if ip.IsValid() {
		go r.sampleFIBs(sctx, fibs, ip)
	} else {
		close(r.fibDone)
	}
	return r, nil
}

func (r *Recorder) sample(ctx context.Context) {
	defer close(r.done)
	for ctx.Err() == nil {
		if v, _, err := r.l.View(ctx); err == nil {
			r.observe(time.Now(), v)
		} else {
			r.mu.Lock()
			r.sampleErrs++
			r.lastSampleErr = err.Error()
			r.mu.Unlock()
		}
		select {
		case <-ctx.Done():
		case <-time.After(300 * time.Millisecond):
		}
	}
}

func (r *Recorder) observe(at time.Time, v scenarios.View) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range v.Sessions {
		if !isNode(v, s.Neighbor) {
			continue
		}
		r.change(at, s.Router, s.Router+"/"+s.Neighbor, s.Neighbor+" "+s.State, s.State)
	}
	for _, b := range v.BFD {
		r.change(at, b.Router, b.Router+"/bfd/"+b.PeerNode, "BFD "+b.PeerNode+" "+b.State, b.State)
	}
}

// sampleFIBs records every router's kernel next hops toward the Service's IP
// every fibEvery: fast enough to show a sub-second failover.
func (r *Recorder) sampleFIBs(ctx context.Context, fibs map[string]*FIB, ip netip.Addr) {
	defer close(r.fibDone)
	defer func() {
		for _, f := range fibs {
			f.Close()
		}
	}()
	for ctx.Err() == nil {
		at := time.Now()
		r.mu.Lock()
		for name, f := range fibs {
			if n, err := f.NextHopsToward(ip); err == nil {
				t := r.track(name)
				t.Points = append(t.Points, timeline.Point{At: at, Value: float64(n)})
			}
		}
		r.mu.Unlock()
		select {
		case <-ctx.Done():
		case <-time.After(fibEvery):
		}
	}
}

const fibEvery = 50 * time.Millisecond

// change records a state change on router's track (the first state seen is not a change).
func (r *Recorder) change(at time.Time, router, key, label, state string) {
	t := r.track(router)
	if old, ok := r.states[key]; ok && old != state {
		t.Changes = append(t.Changes, timeline.Mark{At: at, Label: label})
	}
	r.states[key] = state
}

func (r *Recorder) track(router string) *timeline.Track {
	t, ok := r.tracks[router]
	if !ok {
		t = &timeline.Track{Name: router, Unit: "next hops"}
		r.tracks[router] = t
		r.order = append(r.order, router)
		slices.Sort(r.order)
	}
	return t
}

// isNode: sessions toward k8s nodes are the ones a timeline shows (router-router
// sessions have a router as neighbor, which has its own track).
func isNode(v scenarios.View, neighbor string) bool {
	for _, s := range v.Sessions {
		if s.Router == neighbor {
			return false
		}
	}
	return neighbor != ""
}

// Step runs one step: marks the timeline, performs the action, and waits for the
// expectations.
func (r *Recorder) Step(ctx context.Context, s scenarios.Step) StepResult {
	res := StepResult{Name: s.Name}
	if label := actionLabel(s); label != "" {
		r.mu.Lock()
		r.marks = append(r.marks, timeline.Mark{At: time.Now(), Label: label})
		r.mu.Unlock()
	}
	res = r.l.RunStep(ctx, s)
	r.mu.Lock()
	r.steps = append(r.steps, res)
	r.mu.Unlock()
	return res
}

// RunStep performs the step's action and waits for its expectations, outside
// any recording.
func (l *Lab) RunStep(ctx context.Context, s scenarios.Step) StepResult {
	res := StepResult{Name: s.Name}
	if err := l.Do(ctx, s.Do); err != nil {
		res.Error = err.Error()
	} else if took, err := l.Await(ctx, s.Expect, s.WithinOrDefault(), s.Hold); err != nil {
		res.Error = err.Error()
	} else {
		res.Took = took
	}
	return res
}

// Failed counts failed client requests since from.
func (r *Recorder) Failed(from time.Time) (failed, total int) {
	if r.traffic == nil {
		return 0, 0
	}
	return r.traffic.Failed(from)
}

// actionLabel names a step's action on the timeline. A manifest change says
// nothing by itself, so it carries the step's name.
func actionLabel(s scenarios.Step) string {
	a := s.Do
	switch {
	case a.Fault != nil:
		parts := []string{string(a.Fault.Kind), a.Fault.Target}
		if a.Fault.Process != "" {
			parts = append(parts, a.Fault.Process)
		}
		return strings.Join(parts, " ")
	case a.Apply != "":
		return withName("apply", s.Name)
	case a.Delete != "":
		return withName("delete", s.Name)
	case a.Label != nil:
		return "label " + a.Label.Node
	case a.Backends != nil:
		return "backends " + strings.Join(a.Backends.Nodes, ",")
	case a.Restart != nil:
		return "restart " + a.Restart.Node + " " + a.Restart.Process
	}
	return ""
}

func withName(verb, name string) string {
	if name == "" {
		return verb
	}
	return verb + ": " + name
}
