package lab

import "testing"

func TestRoutersEstablished(t *testing.T) {
	up := SessionStatus{Kind: "ibgp", State: "Established"}
	for _, c := range []struct {
		name string
		in   []SessionStatus
		want bool
	}{
		{"all up", []SessionStatus{up, {Kind: "ebgp", State: "Established"}}, true},
		{"speaker sessions do not count", []SessionStatus{up, {Kind: "speaker", State: "Connect"}}, true},
		{"one router session connecting", []SessionStatus{up, {Kind: "ebgp", State: "Active"}}, false},
		{"missing session", []SessionStatus{{Kind: "ibgp", State: StateMissing}}, false},
	} {
		if got := routersEstablished(&Status{Sessions: c.in}); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func TestSettled(t *testing.T) {
	speaker := func(state string) NodeStatus {
		return NodeStatus{Name: "n1", Role: "k8s-node", Processes: []ProcessStatus{{Name: "speaker", State: state}}}
	}
	router := NodeStatus{Name: "r1", Role: "router"}
	svc := ServiceStatus{Namespace: "default", Name: "demo", IPs: []string{"198.18.0.1"}}
	route := RouteStatus{Router: "r1", Prefix: "198.18.0.1/32"}
	for _, c := range []struct {
		name string
		st   Status
		want bool
	}{
		{"working", Status{Nodes: []NodeStatus{router, speaker(ProcRunning)}, Services: []ServiceStatus{svc}, Routes: []RouteStatus{route},
			Sessions: []SessionStatus{{Router: "r1", Neighbor: "n1", Kind: "speaker", State: "Established"}}}, true},
		{"speaker connecting", Status{Nodes: []NodeStatus{router, speaker(ProcRunning)},
			Sessions: []SessionStatus{{Router: "r1", Neighbor: "n1", Kind: "speaker", State: "Connect"}}}, false},
		{"no speaker runs: not waited for", Status{Nodes: []NodeStatus{router, speaker(ProcExited)},
			Sessions: []SessionStatus{{Router: "r1", Neighbor: "n1", Kind: "speaker", State: "Connect"}}}, true},
		{"service IP not routed yet", Status{Nodes: []NodeStatus{router}, Services: []ServiceStatus{svc}}, false},
		{"aggregate covers it", Status{Nodes: []NodeStatus{router}, Services: []ServiceStatus{svc},
			Routes: []RouteStatus{{Router: "r1", Prefix: "198.18.0.0/24"}}}, true},
	} {
		if got := settled(&c.st); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}
