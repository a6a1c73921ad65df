package frr_test

import (
	"strings"
	"testing"

	"github.com/bgplb/bgplb/topologies/intent"
	"github.com/bgplb/bgplb/topologies/intent/intenttest"
	"github.com/bgplb/bgplb/topologies/kinds/frr"
)

var cases = map[string]func() intent.Router{
	"minimal": intenttest.Minimal,
	"full":    intenttest.Full,
	"routers": intenttest.Routers,
}

func TestGolden(t *testing.T) {
	for name, intent := range cases {
		t.Run(name, func(t *testing.T) {
			files, err := frr.New().Render(intent())
			if err != nil {
				t.Fatal(err)
			}
			intenttest.Golden(t, name, files)
		})
	}
}

func TestDeterministic(t *testing.T) {
	a, _ := frr.New().Render(intenttest.Full())
	b, _ := frr.New().Render(intenttest.Full())
	if string(a[0].Content) != string(b[0].Content) {
		t.Fatal("two renders of one intent differ")
	}
}

// TestVtyshDryrun has FRR's own parser read every rendered frr.conf, and a broken one
// to prove the check can fail.
func TestVtyshDryrun(t *testing.T) {
	for name, intent := range cases {
		t.Run(name, func(t *testing.T) {
			files, err := frr.New().Render(intent())
			if err != nil {
				t.Fatal(err)
			}
			conf := intenttest.File(t, files, "frr.conf")
			if out, err := dryrun(t, conf); err != nil || out != "" {
				t.Fatalf("vtysh --dryrun rejects %s/frr.conf: %v\n%s", name, err, out)
			}
		})
	}
	t.Run("broken config is rejected", func(t *testing.T) {
		files, _ := frr.New().Render(intenttest.Full())
		conf := strings.Replace(string(intenttest.File(t, files, "frr.conf")), "remote-as", "remote-ass", 1)
		if out, err := dryrun(t, []byte(conf)); err == nil && out == "" {
			t.Fatal("vtysh --dryrun accepted a config with an unknown command")
		}
	})
}

// dryrun returns vtysh's complaints (it prints nothing for a clean file).
func dryrun(t *testing.T, conf []byte) (string, error) {
	out, err := intenttest.Check(t, "frr.conf", conf, "vtysh", "--dryrun", "-f", "{}")
	return strings.TrimSpace(out), err
}

func TestErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		mutate func(*intent.Router)
		want   string
	}{
		"gtsm with multihop": {func(r *intent.Router) { r.Neighbors[3].TTLSecurityHops = 1 }, "Neighbors[3] (192.0.2.31): TTLSecurityHops with EBGPMultihop"},
		"bad community":      {func(r *intent.Router) { r.SpeakerPolicy.CommunityActions[0].Community = "64512" }, "SpeakerPolicy.CommunityActions[0].Community"},
		"no accept":          {func(r *intent.Router) { r.SpeakerPolicy.Accept = nil }, "SpeakerPolicy.Accept: empty"},
		"fractional timers":  {func(r *intent.Router) { r.Neighbors[0].HoldTime = 1500 * 1e6 }, "whole seconds"},
		"clashing bfd":       {func(r *intent.Router) { r.Neighbors[2].BFD = &intent.BFD{Profile: "fast", ReceiveInterval: 50} }, `BFD.Profile "fast"`},
		"no asn":             {func(r *intent.Router) { r.ASN = 0 }, "ASN: 0 is reserved"},
	} {
		t.Run(name, func(t *testing.T) {
			r := intenttest.Full()
			tc.mutate(&r)
			_, err := frr.New().Render(r)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
