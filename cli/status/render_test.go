package status

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/bgplb/bgplb/api/v1beta2"
	"github.com/bgplb/bgplb/speaker/routes"
	st "github.com/bgplb/bgplb/testing/snapshottest"
)

func sampleReport() Report {
	s := st.Base()
	s.Nodes[1] = st.Node("n2", routes.LabelExcludeBalancers, "")
	since := metav1.NewTime(now.Add(-90 * time.Minute))
	s.Resources.Peers[0].Status.Nodes = []v1beta2.BGPPeerNodeStatus{{Node: "n1", Session: "Established", BFD: "Up", Since: &since, AdvertisedPrefixes: 1}}
	return Build(&s, Options{Now: now})
}

func TestWriteTable(t *testing.T) {
	var b bytes.Buffer
	if err := sampleReport().WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"CONFIGURATION (metallb-system): valid, 0 errors, 0 warnings",
		"n1                                tor   192.0.2.1  Established   1h30m0s  Up   1/1",
		"n2 (nodeLabeledExcludeBalancers)  tor   192.0.2.1  not reported  -        -    0/0",
		"default/web  198.51.100.10  pool  n1    tor   yes (all)",
		"                                  n2    *     no: nodeLabeledExcludeBalancers",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestWriteJSONFieldNames(t *testing.T) {
	var b bytes.Buffer
	if err := sampleReport().WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{
		"namespace", "configuration.valid", "configuration.findings", "configuration.components",
		"nodes.0.name", "nodes.0.sessions.0.peer", "nodes.0.sessions.0.state", "nodes.0.sessions.0.uptimeSeconds",
		"nodes.0.sessions.0.bfd", "nodes.0.sessions.0.advertisedPrefixes", "nodes.0.sessions.0.desiredPrefixes",
		"nodes.1.reason", "services.0.name", "services.0.ips", "services.0.pool",
		"services.0.announced.0.node", "services.0.announced.0.peer", "services.0.notAnnounced.0.reason",
	} {
		if lookup(got, path) == nil {
			t.Errorf("JSON lacks %s:\n%s", path, b.String())
		}
	}
}

// lookup follows a dotted path of keys and list indexes ("nodes.0.name").
func lookup(v any, path string) any {
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i := int(k[0] - '0')
			if i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}
