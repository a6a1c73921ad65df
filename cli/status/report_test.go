package status

import (
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
	"github.com/bgplb/bgplb/cli/snapshot"
	"github.com/bgplb/bgplb/speaker/routes"
	st "github.com/bgplb/bgplb/testing/snapshottest"
)

var now = time.Date(2026, 12, 2, 7, 0, 0, 0, time.UTC)

func TestBuild(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(s *snapshot.Snapshot)
		check  func(t *testing.T, r Report)
	}{
		{"announced from every node to every peer", nil, func(t *testing.T, r Report) {
			wantDecisions(t, r.Services[0].Announced, "n1 tor 198.51.100.10 announced all", "n2 tor 198.51.100.10 announced all")
			wantDecisions(t, r.Services[0].NotAnnounced)
		}},
		{"excluded node announces nothing, with the speaker's reason", func(s *snapshot.Snapshot) {
			s.Nodes[1] = st.Node("n2", routes.LabelExcludeBalancers, "")
		}, func(t *testing.T, r Report) {
			wantDecisions(t, r.Services[0].Announced, "n1 tor 198.51.100.10 announced all")
			wantDecisions(t, r.Services[0].NotAnnounced, "n2  198.51.100.10 nodeLabeledExcludeBalancers ")
			if r.Nodes[1].Reason != routes.ReasonNodeExcluded {
				t.Errorf("node n2 reason %q", r.Nodes[1].Reason)
			}
		}},
		{"local traffic policy: only nodes with an endpoint", func(s *snapshot.Snapshot) {
			s.Services[0].TrafficPolicy = routes.TrafficLocal
		}, func(t *testing.T, r Report) {
			wantDecisions(t, r.Services[0].NotAnnounced, "n2  198.51.100.10 noLocalEndpoints ")
		}},
		{"advertisement node selector leaves a node out", func(s *snapshot.Snapshot) {
			s.Resources.BGPAdvertisements[0].Spec.NodeSelectors = []metav1.LabelSelector{{MatchLabels: map[string]string{"kubernetes.io/hostname": "n1"}}}
		}, func(t *testing.T, r Report) {
			wantDecisions(t, r.Services[0].NotAnnounced, "n2  198.51.100.10 notOwner ")
		}},
		{"service without an address", func(s *snapshot.Snapshot) {
			s.Services[0].IPs = nil
		}, func(t *testing.T, r Report) {
			wantDecisions(t, r.Services[0].NotAnnounced, "n1   noIPAllocated ", "n2   noIPAllocated ")
		}},
		{"peer node selector: the session does not run there", func(s *snapshot.Snapshot) {
			s.Resources.Peers[0].Spec.NodeSelectors = []metav1.LabelSelector{{MatchLabels: map[string]string{"kubernetes.io/hostname": "n1"}}}
		}, func(t *testing.T, r Report) {
			got := r.Nodes[1].Sessions
			if len(got) != 1 || got[0].Runs || got[0].Reason != routes.ReasonPeerNodeSelector {
				t.Errorf("n2 sessions %+v, want tor not run (peerNodeSelector)", got)
			}
			if s := r.Nodes[0].Sessions[0]; !s.Runs || s.DesiredPrefixes != 1 {
				t.Errorf("n1 session %+v, want runs with 1 desired prefix", s)
			}
			wantDecisions(t, r.Services[0].NotAnnounced, "n2 tor  peerNodeSelector ")
		}},
		{"session status from the speaker's entry", func(s *snapshot.Snapshot) {
			since := metav1.NewTime(now.Add(-time.Hour))
			s.Resources.Peers[0].Status.Nodes = []v1beta2.BGPPeerNodeStatus{
				{Node: "n1", Session: "Established", BFD: "Up", Since: &since, AdvertisedPrefixes: 1},
				{Node: "n2", Session: "Active", LastError: "connection refused"},
			}
		}, func(t *testing.T, r Report) {
			a, b := r.Nodes[0].Sessions[0], r.Nodes[1].Sessions[0]
			if a.State != "Established" || a.UptimeSeconds != 3600 || a.BFD != "Up" || a.AdvertisedPrefixes != 1 {
				t.Errorf("n1 session %+v", a)
			}
			if b.State != "Active" || b.UptimeSeconds != 0 || b.LastError != "connection refused" {
				t.Errorf("n2 session %+v", b)
			}
		}},
		{"no status entry: not reported", nil, func(t *testing.T, r Report) {
			if s := r.Nodes[0].Sessions[0]; s.State != "" || !s.Runs {
				t.Errorf("session %+v, want runs and no state", s)
			}
		}},
		{"status entry of a node that is gone", func(s *snapshot.Snapshot) {
			s.Resources.Peers[0].Status.Nodes = []v1beta2.BGPPeerNodeStatus{{Node: "n9", Session: "Idle"}}
		}, func(t *testing.T, r Report) {
			last := r.Nodes[len(r.Nodes)-1]
			if last.Name != "n9" || last.Reason != ReasonNodeNotFound || last.Sessions[0].State != "Idle" {
				t.Errorf("last node %+v, want n9 notFound with its Idle session", last)
			}
		}},
		{"invalid configuration", func(s *snapshot.Snapshot) {
			s.Resources.Pools[0].Spec.Addresses = []string{"not-an-address"}
		}, func(t *testing.T, r Report) {
			if r.Configuration.Valid || len(r.Configuration.Findings) == 0 {
				t.Errorf("configuration %+v, want invalid with findings", r.Configuration)
			}
			if r.Services[0].Note != NoteConfigInvalid || len(r.Services[0].Announced) != 0 {
				t.Errorf("service %+v, want the invalid-config note and no decisions", r.Services[0])
			}
		}},
		{"valid configuration", nil, func(t *testing.T, r Report) {
			if !r.Configuration.Valid || r.Services[0].Note != "" {
				t.Errorf("configuration %+v, note %q", r.Configuration, r.Services[0].Note)
			}
		}},
		{"components' ConfigurationStates", func(s *snapshot.Snapshot) {
			s.ConfigStates = []v1beta1.ConfigurationState{{ObjectMeta: st.Meta("speaker-n1"), Status: v1beta1.ConfigurationStateStatus{
				Result: v1beta1.ConfigurationStateInvalid, ErrorSummary: "boom",
				Findings: []v1beta1.ConfigurationFinding{{Severity: "error", Code: "x", Kind: "BGPPeer", Name: "tor", Message: "bad"}}}}}
		}, func(t *testing.T, r Report) {
			c := r.Configuration.Components
			if len(c) != 1 || c[0].Name != "speaker-n1" || c[0].Result != "Invalid" || c[0].LastError != "boom" || c[0].Findings[0].Code != "x" {
				t.Errorf("components %+v", c)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := st.Base()
			if tt.mutate != nil {
				tt.mutate(&s)
			}
			tt.check(t, Build(&s, Options{Now: now}))
		})
	}
}

// wantDecisions compares decisions written "node peer ip reason advertisement".
func wantDecisions(t *testing.T, got []Decision, want ...string) {
	t.Helper()
	var g []string
	for _, d := range got {
		g = append(g, d.Node+" "+d.Peer+" "+d.IP+" "+d.Reason+" "+d.Advertisement)
	}
	if !slices.Equal(g, want) {
		t.Errorf("decisions\n got %q\nwant %q", g, want)
	}
}
