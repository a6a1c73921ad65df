package gobgp_test

import (
	"strings"
	"testing"

	"github.com/bgplb/bgplb/topologies/intent"
	"github.com/bgplb/bgplb/topologies/intent/intenttest"
	"github.com/bgplb/bgplb/topologies/kinds/gobgp"
)

// full is the everything intent without what gobgpd lacks: BFD and originated networks.
func full() intent.Router {
	r := intenttest.WithoutBFD(intenttest.Full())
	r.Networks = nil
	return r
}

func minimal() intent.Router { return intenttest.Minimal() }

// routers has no speakers, only next-hop-self on the iBGP neighbor.
func routers() intent.Router { return intenttest.Routers() }

var cases = map[string]func() intent.Router{"minimal": minimal, "full": full, "routers": routers}

func TestGolden(t *testing.T) {
	for name, intent := range cases {
		t.Run(name, func(t *testing.T) {
			files, err := gobgp.New().Render(intent())
			if err != nil {
				t.Fatal(err)
			}
			intenttest.Golden(t, name, files)
		})
	}
}

// TestGobgpdDryRun has gobgpd read every rendered file (--dry-run parses the TOML and
// the neighbor and set definitions, then exits), and a broken one to prove the check
// can fail. It does not build the policies; TestIntegrationGobgpdLoads does.
func TestGobgpdDryRun(t *testing.T) {
	for name, intent := range cases {
		t.Run(name, func(t *testing.T) {
			files, err := gobgp.New().Render(intent())
			if err != nil {
				t.Fatal(err)
			}
			if out, err := dryRun(t, intenttest.File(t, files, "gobgpd.toml")); err != nil {
				t.Fatalf("gobgpd --dry-run rejects %s/gobgpd.toml: %v\n%s", name, err, out)
			}
		})
	}
	t.Run("broken config is rejected", func(t *testing.T) {
		files, _ := gobgp.New().Render(full())
		conf := strings.Replace(string(intenttest.File(t, files, "gobgpd.toml")), `neighbor-address = "198.51.100.10"`, `neighbor-address = "198.51.100.300"`, 1)
		if _, err := dryRun(t, []byte(conf)); err == nil {
			t.Fatal("gobgpd --dry-run accepted a neighbor with an invalid address")
		}
	})
}

func dryRun(t *testing.T, conf []byte) (string, error) {
	return intenttest.Check(t, "gobgpd.toml", conf, "gobgpd", "-f", "{}", "-t", "toml", "--dry-run")
}

func TestErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		mutate func(*intent.Router)
		want   string
	}{
		"bfd":                {func(r *intent.Router) { r.Neighbors[1].BFD = &intent.BFD{} }, "Neighbors[1] (2001:db8:1::11): BFD: gobgpd has no BFD"},
		"networks":           {func(r *intent.Router) { r.Networks = intenttest.Full().Networks }, "Networks: gobgpd's config file cannot originate"},
		"gtsm with multihop": {func(r *intent.Router) { r.Neighbors[3].TTLSecurityHops = 1 }, "TTLSecurityHops with EBGPMultihop"},
		"bad le":             {func(r *intent.Router) { r.SpeakerPolicy.Accept[0].Le = 33 }, "SpeakerPolicy.Accept[0].Le 33"},
	} {
		t.Run(name, func(t *testing.T) {
			r := full()
			tc.mutate(&r)
			_, err := gobgp.New().Render(r)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
