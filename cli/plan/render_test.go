package plan

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/bgplb/bgplb/cli/snapshot"
	st "github.com/bgplb/bgplb/testing/snapshottest"
)

func TestWriteText(t *testing.T) {
	tests := []struct {
		name string
		next func(s *snapshot.Snapshot)
		want []string
	}{
		{"no change", func(*snapshot.Snapshot) {}, []string{"no change"}},
		{"disruptive", func(s *snapshot.Snapshot) {
			s.Resources.Pools[0].Spec.Addresses = []string{"198.51.100.128/25"}
		}, []string{
			"default/web  changed  198.51.100.10 -> 198.51.100.128  pool -> pool",
			"n1    tor   WITHDRAW  198.51.100.10/32",
			"n1    tor   announce  198.51.100.128/32 communities []",
			"DISRUPTIVE: 1 address set lost or changed, 2 prefixes withdrawn, 0 sessions reset or closed",
		}},
		{"attributes only", func(s *snapshot.Snapshot) {
			s.Resources.BGPAdvertisements[0].Spec.Communities = []string{"64512:200"}
		}, []string{"n1    tor   attributes  198.51.100.10/32 communities [] -> communities [64512:200]", "not disruptive: "}},
		{"invalid", func(s *snapshot.Snapshot) {
			s.Resources.Pools[0].Spec.Addresses = []string{"nope"}
		}, []string{"error: IPAddressPool/pool", "INVALID: 1 error; the components would refuse"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next := st.Base()
			tt.next(&next)
			p := Compute(Input{Current: st.Base(), Next: next})
			var b bytes.Buffer
			if err := p.WriteText(&b); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("text lacks %q:\n%s", w, b.String())
				}
			}
		})
	}
}

func TestWriteJSONStable(t *testing.T) {
	next := st.Base()
	next.Resources.Pools[0].Spec.Addresses = []string{"198.51.100.128/25"}
	var b bytes.Buffer
	if err := Compute(Input{Current: st.Base(), Next: next}).WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Valid, Disruptive bool
		Findings          []any
		Services          []map[string]any
		Nodes             []map[string]any
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if !got.Valid || !got.Disruptive || got.Findings == nil || len(got.Services) != 1 || len(got.Nodes) != 2 {
		t.Fatalf("plan JSON %s", b.String())
	}
	for _, k := range []string{"service", "change", "oldIPs", "newIPs", "oldPool", "newPool", "disruptive"} {
		if _, ok := got.Services[0][k]; !ok {
			t.Errorf("service change lacks %q", k)
		}
	}
	for _, k := range []string{"node", "peersAdded", "peersRemoved", "sessions", "routes"} {
		if _, ok := got.Nodes[0][k]; !ok {
			t.Errorf("node change lacks %q", k)
		}
	}
}
