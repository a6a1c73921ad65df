// Package runner runs scenarios against a real lab: it brings the topology up
// with topologies/lab on the namespace backend, performs each step's action
// (faults through the backend, manifests through the lab's apiserver), waits for
// the expectations by reading the lab's status, and records what happened for
// reports and timelines.
package runner

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/bgplb/bgplb/api/scheme"
	"github.com/bgplb/bgplb/scenarios"
	"github.com/bgplb/bgplb/topologies/backend"
	"github.com/bgplb/bgplb/topologies/backend/netns"
	"github.com/bgplb/bgplb/topologies/lab"
)

// Options configure Up.
type Options struct {
	Topology string
	// RepoDir is the repository root (bin/, deploy/crds, .cache/bin); Root holds
	// the lab's state (default RepoDir/out/e2e/lab).
	RepoDir, Root string
	Progress      func(string)
}

// Lab is a running lab a scenario drives.
type Lab struct {
	Name    string
	Record  *lab.Record
	Backend backend.Backend
	Client  client.Client
	root    string
}

// Up brings the topology up. On error nothing is left behind.
func Up(ctx context.Context, o Options) (*Lab, error) {
	repo, err := filepath.Abs(o.RepoDir)
	if err != nil {
		return nil, err
	}
	if o.Root == "" {
		o.Root = filepath.Join(repo, "out", "e2e", "lab")
	}
	if o.Progress == nil {
		o.Progress = func(string) {}
	}
	b := netns.New(netns.Options{Root: o.Root})
	bgplb := filepath.Join(repo, "bin", "bgplb")
	if _, err := os.Stat(bgplb); err != nil {
		return nil, fmt.Errorf("runner: %s missing: run `make build`", bgplb)
	}
	rec, err := lab.Up(ctx, lab.Options{Topology: o.Topology, Root: o.Root, RepoDir: repo, Backend: b,
		AgentArgs: []string{bgplb, "lab", "agent"}, Progress: o.Progress})
	l := &Lab{Backend: b, root: o.Root, Record: rec}
	if rec != nil {
		l.Name = rec.Name
	}
	if err != nil {
		if l.Name != "" {
			_ = l.Down(context.WithoutCancel(ctx))
		}
		return nil, err
	}
	if l.Client, err = newClient(rec.Kubeconfig); err != nil {
		_ = l.Down(context.WithoutCancel(ctx))
		return nil, err
	}
	return l, nil
}

// Down removes the lab; safe to repeat.
func (l *Lab) Down(ctx context.Context) error {
	return lab.Down(ctx, lab.DownOptions{Name: l.Name, Root: l.root, Backend: l.Backend})
}

// Status reads the lab's status.
func (l *Lab) Status(ctx context.Context) (*lab.Status, error) {
	return lab.ReadStatus(ctx, lab.StatusOptions{Name: l.Name, Root: l.root, Backend: l.Backend, Timeout: 3 * time.Second})
}

// View reads the lab's status as scenarios see it.
func (l *Lab) View(ctx context.Context) (scenarios.View, *lab.Status, error) {
	st, err := l.Status(ctx)
	if err != nil {
		return scenarios.View{}, nil, err
	}
	return ViewOf(st), st, nil
}

// ViewOf reduces a lab status to a scenarios.View.
func ViewOf(st *lab.Status) scenarios.View {
	v := scenarios.View{Services: map[string][]string{}}
	for _, r := range st.Routes {
		p, err := netip.ParsePrefix(r.Prefix)
		if err != nil {
			continue
		}
		rt := scenarios.Route{Router: r.Router, Prefix: p, LocalPref: r.LocalPref}
		for _, h := range r.NextHops {
			if h.Node != "" {
				rt.NextHops = append(rt.NextHops, h.Node)
			} else {
				rt.NextHops = append(rt.NextHops, h.Address)
			}
		}
		rt.Communities = append(append(rt.Communities, r.Communities...), r.LargeCommunities...)
		v.Routes = append(v.Routes, rt)
	}
	for _, s := range st.Sessions {
		v.Sessions = append(v.Sessions, scenarios.Session{Router: s.Router, Neighbor: s.Neighbor, State: s.State})
	}
	for _, b := range st.BFD {
		v.BFD = append(v.BFD, scenarios.BFDPeer{Router: b.Router, PeerNode: b.PeerNode, State: b.State})
	}
	for _, s := range st.Services {
		v.Services[s.Namespace+"/"+s.Name] = s.IPs
	}
	return v
}

// Namespace is the network namespace of a lab node.
func (l *Lab) Namespace(ctx context.Context, node string) (string, error) {
	st, err := l.Backend.Inspect(ctx, l.Name)
	if err != nil {
		return "", err
	}
	for _, n := range st.Nodes {
		if n.Name == node {
			return n.Namespace, nil
		}
	}
	return "", fmt.Errorf("lab %s has no node %s", l.Name, node)
}

func newClient(kubeconfig string) (client.Client, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("runner: kubeconfig %s: %w", kubeconfig, err)
	}
	// The driver must never be what a measurement measures: client-go's default
	// 5 requests/s made creating 300 Services take a minute.
	cfg.QPS, cfg.Burst = 500, 1000
	s, err := scheme.New()
	if err != nil {
		return nil, err
	}
	return client.New(cfg, client.Options{Scheme: s})
}
