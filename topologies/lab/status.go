package lab

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"path/filepath"
	"sort"
	"time"

	"github.com/bgplb/bgplb/topologies/backend"
	"github.com/bgplb/bgplb/topologies/kind"
	"github.com/bgplb/bgplb/topologies/kinds"
	"github.com/bgplb/bgplb/topologies/model"
)

// Status is `lab status -o json`: stable, documented, machine-readable. Fields are only
// ever added. Times are RFC 3339, durations nanoseconds (Go's encoding) with a
// human-readable twin where a person reads them.
type Status struct {
	Lab      string    `json:"lab"`
	Backend  string    `json:"backend"`
	Topology string    `json:"topology"`
	Phase    string    `json:"phase"` // starting, up, failed
	Error    string    `json:"error,omitempty"`
	Since    time.Time `json:"since"`
	// ControlPlane is how to reach the lab's apiserver.
	ControlPlane ControlPlaneStatus `json:"controlPlane"`
	Nodes        []NodeStatus       `json:"nodes"`
	// HostProcesses run on the host (controller, service plane).
	HostProcesses []ProcessStatus `json:"hostProcesses"`
	// Sessions are every BGP session the topology expects, router x neighbor, with the
	// router's view of it, plus any the router has that the topology does not name.
	Sessions []SessionStatus `json:"sessions"`
	BFD      []BFDStatus     `json:"bfd"`
	// VIPs are the service ranges; Routes what each router holds inside them.
	VIPs     []string        `json:"vips"`
	Routes   []RouteStatus   `json:"routes"`
	Services []ServiceStatus `json:"services"`
	Steps    []Step          `json:"steps,omitempty"`
	Notes    []string        `json:"notes,omitempty"`
	// Problems are what status could not read (a router not answering, the apiserver
	// down); the rest of Status is still filled in.
	Problems []string `json:"problems,omitempty"`
}

// ControlPlaneStatus is the lab's apiserver.
type ControlPlaneStatus struct {
	URL        string `json:"url"`
	Kubeconfig string `json:"kubeconfig"`
	Reachable  bool   `json:"reachable"`
}

// NodeStatus is one node.
type NodeStatus struct {
	Name string     `json:"name"`
	Role model.Role `json:"role"`
	Kind string     `json:"kind"`
	// Emulation is set when the node runs as another kind ("emulated by frr").
	Emulation string          `json:"emulation,omitempty"`
	Site      string          `json:"site,omitempty"`
	ASN       uint32          `json:"asn,omitempty"`
	Namespace string          `json:"namespace,omitempty"`
	Addresses []string        `json:"addresses"`
	Processes []ProcessStatus `json:"processes"`
}

// Process states.
const (
	ProcRunning = "running"
	ProcFrozen  = "frozen"
	ProcExited  = "exited"
)

// ProcessStatus is one process.
type ProcessStatus struct {
	Name  string `json:"name"`
	PID   int    `json:"pid"`
	State string `json:"state"`
	// ExitCode is known when the lab saw the process end.
	ExitCode *int   `json:"exitCode,omitempty"`
	Log      string `json:"log,omitempty"`
}

// SessionStatus is one BGP session as one router sees it.
type SessionStatus struct {
	Router string `json:"router"`
	// Neighbor is the neighbor's node name ("" when the topology does not know it).
	Neighbor string `json:"neighbor"`
	Address  string `json:"address"`
	// Kind is ibgp, ebgp or speaker; "" for sessions the topology does not name.
	Kind     string `json:"kind"`
	RemoteAS uint32 `json:"remoteAS"`
	// State is the BGP state, or "missing" when the router does not have the session.
	State            string        `json:"state"`
	Uptime           time.Duration `json:"uptime"`
	PrefixesReceived int           `json:"prefixesReceived"`
}

// StateMissing marks an expected session the router does not report.
const StateMissing = "missing"

// BFDStatus is one BFD session as one router sees it.
type BFDStatus struct {
	Router    string `json:"router"`
	Peer      string `json:"peer"`
	PeerNode  string `json:"peerNode,omitempty"`
	Interface string `json:"interface,omitempty"`
	State     string `json:"state"`
}

// RouteStatus is one VIP-range route on one router.
type RouteStatus struct {
	Router   string `json:"router"`
	Prefix   string `json:"prefix"`
	NextHops []Hop  `json:"nextHops"`
	// Paths is the number of paths the router holds; Communities those of its best path.
	Paths            int      `json:"paths"`
	LocalPref        *uint32  `json:"localPref,omitempty"`
	Communities      []string `json:"communities,omitempty"`
	LargeCommunities []string `json:"largeCommunities,omitempty"`
}

// Hop is a next hop and the node that owns it.
type Hop struct {
	Address string `json:"address"`
	Node    string `json:"node,omitempty"`
}

// StatusOptions configure ReadStatus.
type StatusOptions struct {
	Name    string
	Root    string
	Backend backend.Backend
	// Timeout bounds each router query and the apiserver calls; default 5 s.
	Timeout time.Duration
	Now     func() time.Time
	// Kinds reads each router with its kind's probe; default kinds.Registry().
	Kinds *kind.Registry
}

// ReadStatus collects the status of a running lab.
func ReadStatus(ctx context.Context, o StatusOptions) (*Status, error) {
	if o.Root == "" {
		o.Root = filepath.Join("out", "lab")
	}
	if o.Timeout == 0 {
		o.Timeout = 5 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Kinds == nil {
		o.Kinds = kinds.Registry()
	}
	dir, _ := filepath.Abs(filepath.Join(o.Root, o.Name))
	rec, err := LoadRecord(dir)
	if err != nil {
		return nil, err
	}
	if rec == nil || rec.Lab == nil {
		return nil, fmt.Errorf("lab %s is not up (no %s in %s): run `bgplb lab up`", o.Name, RecordFile, dir)
	}
	st := &Status{Lab: rec.Name, Backend: rec.Backend, Topology: rec.Topology, Phase: rec.Phase, Error: rec.Error,
		Since: rec.Since, Steps: rec.Steps, Notes: rec.Notes,
		ControlPlane:  ControlPlaneStatus{URL: rec.APIServer, Kubeconfig: rec.Kubeconfig},
		HostProcesses: []ProcessStatus{}, Nodes: []NodeStatus{}, Sessions: []SessionStatus{},
		BFD: []BFDStatus{}, Routes: []RouteStatus{}, Services: []ServiceStatus{}}
	for _, v := range rec.Lab.VIPs {
		st.VIPs = append(st.VIPs, v.String())
	}
	for _, hp := range rec.HostProcesses {
		ps := ProcessStatus{Name: hp.Name, PID: hp.PID, State: ProcExited, ExitCode: hp.ExitCode, Log: hp.Log}
		if hp.Running() {
			ps.State = ProcRunning
		}
		st.HostProcesses = append(st.HostProcesses, ps)
	}
	live := st.nodes(ctx, o, rec)
	st.routers(ctx, o, rec.Lab, live)
	if rec.Kubeconfig != "" && rec.APIServer != "" {
		c, err := clientFromKubeconfig(rec.Kubeconfig)
		if err == nil {
			cctx, cancel := context.WithTimeout(ctx, o.Timeout)
			st.Services, err = services(cctx, c)
			cancel()
		}
		if err != nil {
			st.problem("apiserver: %v", err)
		} else {
			st.ControlPlane.Reachable = true
		}
	}
	for _, s := range st.Services {
		if s.Pending {
			st.Notes = append(st.Notes, fmt.Sprintf("Service %s/%s has no IP yet (pending): IPs are assigned by the controller (issue #4), which is not running", s.Namespace, s.Name))
		}
	}
	return st, nil
}

func (st *Status) problem(format string, args ...any) {
	st.Problems = append(st.Problems, fmt.Sprintf(format, args...))
}

// nodes fills in nodes and their processes from the backend.
func (st *Status) nodes(ctx context.Context, o StatusOptions, rec *Record) map[string]backend.NodeState {
	live := map[string]backend.NodeState{}
	if o.Backend != nil {
		bs, err := o.Backend.Inspect(ctx, rec.Name)
		if err != nil {
			st.problem("backend: %v", err)
		} else {
			for _, n := range bs.Nodes {
				live[n.Name] = n
			}
		}
	}
	for _, n := range rec.Lab.Nodes {
		ns := NodeStatus{Name: n.Name, Role: n.Role, Kind: n.Kind, Site: n.Site, ASN: n.ASN,
			Addresses: []string{}, Processes: []ProcessStatus{}}
		for _, lo := range n.Loopbacks {
			ns.Addresses = append(ns.Addresses, lo.String())
		}
		for _, ifc := range n.Interfaces {
			for _, a := range ifc.Addresses {
				ns.Addresses = append(ns.Addresses, a.String()+" ("+ifc.Name+")")
			}
		}
		if l, ok := live[n.Name]; ok {
			ns.Emulation, ns.Namespace = l.Emulation, l.Namespace
			for _, p := range l.Processes {
				ps := ProcessStatus{Name: p.Name, PID: p.PID, State: ProcExited, Log: p.Log}
				switch {
				case p.Frozen:
					ps.State = ProcFrozen
				case p.Running:
					ps.State = ProcRunning
				}
				ns.Processes = append(ns.Processes, ps)
			}
		}
		st.Nodes = append(st.Nodes, ns)
	}
	return live
}

// probeFor returns the probe of the kind that runs router n (on the netns backend, an
// emulated kind's emulator), which reads the router through the backend's Exec.
func probeFor(o StatusOptions, lab string, n model.LabNode, live backend.NodeState) (kind.Probe, error) {
	runsAs := live.RunsAs
	if runsAs == "" {
		runsAs = n.Kind
	}
	k, err := o.Kinds.Router(runsAs)
	if err != nil {
		return nil, err
	}
	exec := func(ctx context.Context, argv []string) ([]byte, error) {
		var out, errb bytes.Buffer
		if err := o.Backend.Exec(ctx, lab, n.Name, argv, backend.ExecIO{Stdout: &out, Stderr: &errb}); err != nil {
			return out.Bytes(), fmt.Errorf("%w: %s", err, bytes.TrimSpace(errb.Bytes()))
		}
		return out.Bytes(), nil
	}
	return k.Probe(exec, o.Now)
}

// owners maps every lab address to the node that has it.
func owners(l *model.Lab) map[netip.Addr]string {
	out := map[netip.Addr]string{}
	for _, n := range l.Nodes {
		for _, lo := range n.Loopbacks {
			out[lo.Addr()] = n.Name
		}
		for _, ifc := range n.Interfaces {
			for _, a := range ifc.Addresses {
				out[a.Addr()] = n.Name
			}
		}
	}
	return out
}

// routers asks every router for its sessions, BFD peers and VIP routes, and sets them
// against the sessions the topology expects.
func (st *Status) routers(ctx context.Context, o StatusOptions, l *model.Lab, live map[string]backend.NodeState) {
	if o.Backend == nil {
		return
	}
	own := owners(l)
	for _, n := range l.NodesWithRole(model.RoleRouter) {
		p, err := probeFor(o, l.Name, n, live[n.Name])
		if err != nil {
			st.problem("%s: %v", n.Name, err)
			continue
		}
		qctx, cancel := context.WithTimeout(ctx, o.Timeout)
		sessions, err := p.Sessions(qctx)
		if err != nil {
			st.problem("%s: sessions: %v", n.Name, err)
		}
		st.sessions(l, n.Name, sessions, own)
		if peers, err := p.BFD(qctx); err != nil {
			st.problem("%s: BFD: %v", n.Name, err)
		} else {
			for _, b := range peers {
				st.BFD = append(st.BFD, BFDStatus{Router: n.Name, Peer: b.Peer.String(), PeerNode: own[b.Peer],
					Interface: b.Interface, State: b.State})
			}
		}
		if routes, err := p.Routes(qctx, l.VIPs); err != nil {
			st.problem("%s: routes: %v", n.Name, err)
		} else {
			for _, r := range routes {
				st.Routes = append(st.Routes, routeStatus(n.Name, r, own))
			}
		}
		cancel()
	}
}

func routeStatus(router string, r kind.Route, own map[netip.Addr]string) RouteStatus {
	rs := RouteStatus{Router: router, Prefix: r.Prefix.String(), Paths: len(r.Paths), NextHops: []Hop{}}
	for _, nh := range r.NextHops() {
		rs.NextHops = append(rs.NextHops, Hop{Address: nh.String(), Node: own[nh]})
	}
	for _, p := range r.Paths {
		if p.Best {
			rs.LocalPref, rs.Communities, rs.LargeCommunities = p.LocalPref, p.Communities, p.LargeCommunities
		}
	}
	return rs
}

// sessions merges a router's view with the sessions the topology expects of it.
func (st *Status) sessions(l *model.Lab, router string, seen []kind.Session, own map[netip.Addr]string) {
	byAddr := map[netip.Addr]kind.Session{}
	for _, s := range seen {
		byAddr[s.Neighbor] = s
	}
	expected := map[netip.Addr]bool{}
	for _, s := range l.SessionsOf(router) {
		other := s.B
		if s.B.Node == router {
			other = s.A
		}
		expected[other.Address] = true
		ss := SessionStatus{Router: router, Neighbor: other.Node, Address: other.Address.String(), Kind: string(s.Kind),
			RemoteAS: other.ASN, State: StateMissing, PrefixesReceived: -1}
		if got, ok := byAddr[other.Address]; ok {
			ss.State, ss.Uptime, ss.PrefixesReceived = got.State, got.Uptime, got.PrefixesReceived
		}
		st.Sessions = append(st.Sessions, ss)
	}
	var extra []kind.Session
	for _, s := range seen {
		if !expected[s.Neighbor] {
			extra = append(extra, s)
		}
	}
	sort.Slice(extra, func(i, j int) bool { return extra[i].Neighbor.Less(extra[j].Neighbor) })
	for _, s := range extra {
		st.Sessions = append(st.Sessions, SessionStatus{Router: router, Neighbor: own[s.Neighbor], Address: s.Neighbor.String(),
			RemoteAS: s.RemoteAS, State: s.State, Uptime: s.Uptime, PrefixesReceived: s.PrefixesReceived})
	}
}
