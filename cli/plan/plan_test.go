package plan

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/cli/snapshot"
	"github.com/bgplb/bgplb/config"
	st "github.com/bgplb/bgplb/testing/snapshottest"
)

func onlyNode(n string) []metav1.LabelSelector {
	return []metav1.LabelSelector{{MatchLabels: map[string]string{"kubernetes.io/hostname": n}}}
}

func withPending(s *snapshot.Snapshot) {
	s.Services = append(s.Services, st.Service("pending", nil, "n1"))
}

func ibgp(s *snapshot.Snapshot, localPref uint32) {
	s.Resources.Peers[0].Spec.ASN = 64513
	s.Resources.BGPAdvertisements[0].Spec.LocalPref = localPref
}

func TestCompute(t *testing.T) {
	tests := []struct {
		name           string
		current, next  func(s *snapshot.Snapshot) // nil: Base as it is
		want           []string
		wantDisruptive bool
	}{
		{"nothing changes", nil, nil, nil, false},
		{"pool shrinks away from the address: another one from the pool", nil, func(s *snapshot.Snapshot) {
			s.Resources.Pools[0].Spec.Addresses = []string{"198.51.100.128/25"}
		}, []string{"svc default/web changed 198.51.100.10 -> 198.51.100.128 (disruptive)",
			"n1 tor add 198.51.100.128/32", "n1 tor withdraw 198.51.100.10/32", "n2 tor add 198.51.100.128/32", "n2 tor withdraw 198.51.100.10/32"}, true},
		{"address outside every pool that may hand one out: lost and withdrawn", nil, func(s *snapshot.Snapshot) {
			s.Resources.Pools[0].Spec.Addresses = []string{"198.51.100.128/25"}
			s.Resources.Pools[0].Spec.AutoAssign = ptr(false)
		}, []string{"svc default/web lost 198.51.100.10 ->  (disruptive)", "n1 tor withdraw 198.51.100.10/32", "n2 tor withdraw 198.51.100.10/32"}, true},
		{"pool grows: the address stays", nil, func(s *snapshot.Snapshot) {
			s.Resources.Pools[0].Spec.Addresses = []string{"198.51.100.0/23"}
		}, nil, false},
		{"serviceAllocation excludes the Service: lost", nil, func(s *snapshot.Snapshot) {
			s.Resources.Pools[0].Spec.AllocateTo = &v1beta1.ServiceAllocation{Namespaces: []string{"other"}}
		}, []string{"svc default/web lost 198.51.100.10 ->  (disruptive)", "n1 tor withdraw 198.51.100.10/32", "n2 tor withdraw 198.51.100.10/32"}, true},
		{"serviceAllocation selects the Service: kept", nil, func(s *snapshot.Snapshot) {
			s.Resources.Pools[0].Spec.AllocateTo = &v1beta1.ServiceAllocation{Namespaces: []string{"default"}}
		}, nil, false},
		{"pool renamed: same address, new annotation", nil, func(s *snapshot.Snapshot) {
			s.Resources.Pools[0].Name = "renamed"
		}, []string{"svc default/web pool 198.51.100.10 -> 198.51.100.10"}, false},
		{"pending Service gets an address", withPending, func(s *snapshot.Snapshot) {
			withPending(s)
			s.Resources.Pools[0].Spec.Addresses = []string{"198.51.100.0/24", "203.0.113.7/32"}
		}, []string{"svc default/pending gained  -> 198.51.100.0", "n1 tor add 198.51.100.0/32", "n2 tor add 198.51.100.0/32"}, false},
		{"pending Service stays pending with no address free", func(s *snapshot.Snapshot) {
			withPending(s)
			s.Resources.Pools[0].Spec.Addresses = []string{"198.51.100.10/32"}
		}, func(s *snapshot.Snapshot) {
			withPending(s)
			s.Resources.Pools[0].Spec.Addresses = []string{"198.51.100.10/32"}
			s.Resources.Pools[0].Spec.AvoidBuggyIPs = true
		}, nil, false},
		{"communities change: attributes, no withdrawal", nil, func(s *snapshot.Snapshot) {
			s.Resources.BGPAdvertisements[0].Spec.Communities = []string{"64512:200"}
		}, []string{"n1 tor attrs 198.51.100.10/32 [] -> [64512:200]", "n2 tor attrs 198.51.100.10/32 [] -> [64512:200]"}, false},
		{"LOCAL_PREF changes on iBGP", func(s *snapshot.Snapshot) { ibgp(s, 100) }, func(s *snapshot.Snapshot) { ibgp(s, 200) },
			[]string{"n1 tor attrs 198.51.100.10/32 100 -> 200", "n2 tor attrs 198.51.100.10/32 100 -> 200"}, false},
		{"LOCAL_PREF unchanged on iBGP", func(s *snapshot.Snapshot) { ibgp(s, 100) }, func(s *snapshot.Snapshot) { ibgp(s, 100) }, nil, false},
		{"hold time: sessions reset", nil, func(s *snapshot.Snapshot) {
			s.Resources.Peers[0].Spec.HoldTime = &metav1.Duration{Duration: 30 * time.Second}
		}, []string{"n1 tor session holdTime,keepaliveTime reset=true", "n2 tor session holdTime,keepaliveTime reset=true"}, true},
		{"connect time: updated without reset", nil, func(s *snapshot.Snapshot) {
			s.Resources.Peers[0].Spec.ConnectTime = &metav1.Duration{Duration: 5 * time.Second}
		}, []string{"n1 tor session connectTime reset=false", "n2 tor session connectTime reset=false"}, false},
		{"new peer: sessions opened and announced", nil, func(s *snapshot.Snapshot) {
			s.Resources.Peers = append(s.Resources.Peers, st.Peer("tor-b", "192.0.2.2"))
		}, []string{"n1 tor-b opened", "n1 tor-b add 198.51.100.10/32", "n2 tor-b opened", "n2 tor-b add 198.51.100.10/32"}, false},
		{"peer leaves a node: session closed, its prefixes withdrawn", nil, func(s *snapshot.Snapshot) {
			s.Resources.Peers[0].Spec.NodeSelectors = onlyNode("n1")
		}, []string{"n2 tor closed", "n2 tor withdraw 198.51.100.10/32"}, true},
		{"advertisement leaves a node: withdrawn there", nil, func(s *snapshot.Snapshot) {
			s.Resources.BGPAdvertisements[0].Spec.NodeSelectors = onlyNode("n1")
		}, []string{"n2 tor withdraw 198.51.100.10/32"}, true},
		{"advertisement reaches a node again: announced there", func(s *snapshot.Snapshot) {
			s.Resources.BGPAdvertisements[0].Spec.NodeSelectors = onlyNode("n1")
		}, func(*snapshot.Snapshot) {}, []string{"n2 tor add 198.51.100.10/32"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cur, next := st.Base(), st.Base()
			if tt.current != nil {
				tt.current(&cur)
				tt.current(&next)
			}
			if tt.next != nil {
				next = st.Base()
				tt.next(&next)
			}
			p := Compute(Input{Current: cur, Next: next})
			if !p.Valid {
				t.Fatalf("plan invalid: %v", p.Findings)
			}
			if got := changeLines(p); !slices.Equal(got, tt.want) {
				t.Errorf("changes\n got %q\nwant %q", got, tt.want)
			}
			if p.Disruptive != tt.wantDisruptive {
				t.Errorf("disruptive %v, want %v", p.Disruptive, tt.wantDisruptive)
			}
		})
	}
}

func TestComputeInvalid(t *testing.T) {
	next := st.Base()
	next.Resources.Pools[0].Spec.Addresses = []string{"nope"}
	p := Compute(Input{Current: st.Base(), Next: next, Origins: map[string]string{"IPAddressPool/pool": "new.yaml:3"}})
	if p.Valid || p.Disruptive || len(p.Services)+len(p.Nodes) != 0 {
		t.Fatalf("plan %+v, want invalid with nothing computed", p)
	}
	if f := p.Findings[0]; f.Severity != config.SeverityError || f.Location != "new.yaml:3" {
		t.Errorf("finding %+v, want an error placed at new.yaml:3", f)
	}
	extra := Compute(Input{Current: st.Base(), Next: st.Base(), Extra: []Finding{{Finding: config.Finding{Severity: config.SeverityError, Code: "unknown-field"}}}})
	if extra.Valid {
		t.Error("an extra error finding does not make the plan invalid")
	}
	if p := Compute(Input{Current: st.Base(), Next: st.Base()}); !p.Valid || len(p.Notes) != 0 {
		t.Errorf("valid plan %+v", p)
	}
}

func TestComputeCurrentInvalid(t *testing.T) {
	cur := st.Base()
	cur.Resources.Pools[0].Spec.Addresses = []string{"nope"}
	p := Compute(Input{Current: cur, Next: st.Base()})
	if !p.Valid || !slices.Equal(p.Notes, []string{NoteCurrentInvalid}) {
		t.Errorf("plan %+v, want valid with the current-invalid note", p)
	}
}

func TestComputeNoNodes(t *testing.T) {
	cur, next := st.Base(), st.Base()
	cur.Nodes, next.Nodes = nil, nil
	next.Resources.Pools[0].Spec.Addresses = []string{"198.51.100.128/25"}
	p := Compute(Input{Current: cur, Next: next})
	if !slices.Equal(p.Notes, []string{NoteNoNodes}) || len(p.Services) != 1 || len(p.Nodes) != 0 {
		t.Errorf("plan %+v, want the no-nodes note, the address change and no node changes", p)
	}
}

// changeLines renders every change on one line, in plan order.
func changeLines(p Plan) []string {
	var out []string
	for _, s := range p.Services {
		line := "svc " + s.Service + " " + s.Change + " " + strings.Join(s.OldIPs, ",") + " -> " + strings.Join(s.NewIPs, ",")
		if s.Disruptive {
			line += " (disruptive)"
		}
		out = append(out, line)
	}
	for _, n := range p.Nodes {
		for _, peer := range n.PeersRemoved {
			out = append(out, n.Node+" "+peer+" closed")
		}
		for _, peer := range n.PeersAdded {
			out = append(out, n.Node+" "+peer+" opened")
		}
		for _, s := range n.Sessions {
			out = append(out, n.Node+" "+s.Peer+" session "+strings.Join(s.Fields, ",")+" reset="+map[bool]string{true: "true", false: "false"}[s.Reset])
		}
		for _, r := range n.Routes {
			for _, a := range r.Added {
				out = append(out, n.Node+" "+r.Peer+" add "+a.Prefix)
			}
			for _, w := range r.Withdrawn {
				out = append(out, n.Node+" "+r.Peer+" withdraw "+w)
			}
			for _, c := range r.Changed {
				out = append(out, n.Node+" "+r.Peer+" attrs "+c.Prefix+" "+attrText(c.Old)+" -> "+attrText(c.New))
			}
		}
	}
	return out
}

func attrText(a Attrs) string {
	if a.LocalPref != 0 {
		return strconv.FormatUint(uint64(a.LocalPref), 10)
	}
	return "[" + strings.Join(a.Communities, " ") + "]"
}

func ptr[T any](v T) *T { return &v }

// TestComputeAnnouncedFrom: a Service that gets an address says where it would be
// announced, or why nowhere.
func TestComputeAnnouncedFrom(t *testing.T) {
	tests := []struct {
		name      string
		endpoints []string
		from, not []string
	}{
		{"endpoint on n1, Cluster policy: both nodes", []string{"n1"}, []string{"n1", "n2"}, []string{}},
		{"no endpoint: nowhere, with the reason", nil, []string{}, []string{"noEndpoints"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cur, next := st.Base(), st.Base()
			cur.Services = append(cur.Services, st.Service("pending", nil, tt.endpoints...))
			next.Services = append(next.Services, st.Service("pending", nil, tt.endpoints...))
			p := Compute(Input{Current: cur, Next: next})
			if len(p.Services) != 1 || p.Services[0].Change != ChangeGained {
				t.Fatalf("services %+v, want pending gained", p.Services)
			}
			if s := p.Services[0]; !slices.Equal(s.AnnouncedFrom, tt.from) || !slices.Equal(s.NotAnnounced, tt.not) {
				t.Errorf("announced from %v, not announced %v; want %v, %v", s.AnnouncedFrom, s.NotAnnounced, tt.from, tt.not)
			}
		})
	}
}
