package bird_test

import (
	"strings"
	"testing"

	"github.com/bgplb/bgplb/topologies/intent"
	"github.com/bgplb/bgplb/topologies/intent/intenttest"
	"github.com/bgplb/bgplb/topologies/kinds/bird"
)

// full is the everything intent minus BFD.MinimumTTL, which BIRD cannot set.
func full() intent.Router { return intenttest.WithoutBFDMinimumTTL(intenttest.Full()) }

var cases = map[string]func() intent.Router{
	"minimal": intenttest.Minimal,
	"full":    full,
	"routers": intenttest.Routers,
}

func TestGolden(t *testing.T) {
	for name, intent := range cases {
		t.Run(name, func(t *testing.T) {
			files, err := bird.New().Render(intent())
			if err != nil {
				t.Fatal(err)
			}
			intenttest.Golden(t, name, files)
		})
	}
}

// TestBirdParse has BIRD itself parse every rendered bird.conf (bird -p parses and
// exits), and a broken one to prove the check can fail.
func TestBirdParse(t *testing.T) {
	for name, intent := range cases {
		t.Run(name, func(t *testing.T) {
			files, err := bird.New().Render(intent())
			if err != nil {
				t.Fatal(err)
			}
			if out, err := parse(t, intenttest.File(t, files, "bird.conf")); err != nil {
				t.Fatalf("bird -p rejects %s/bird.conf: %v\n%s", name, err, out)
			}
		})
	}
	t.Run("broken config is rejected", func(t *testing.T) {
		files, _ := bird.New().Render(full())
		conf := strings.Replace(string(intenttest.File(t, files, "bird.conf")), "ttl security on", "ttl security maybe", 1)
		if _, err := parse(t, []byte(conf)); err == nil {
			t.Fatal("bird -p accepted a config with a bad option")
		}
	})
}

func parse(t *testing.T, conf []byte) (string, error) {
	return intenttest.Check(t, "bird.conf", conf, "bird", "-p", "-c", "{}")
}

func TestErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		mutate func(*intent.Router)
		want   string
	}{
		"bfd minimum ttl":                    {func(r *intent.Router) { r.Neighbors[3].BFD.MinimumTTL = 250 }, "Neighbors[3] (192.0.2.31): BFD.MinimumTTL"},
		"gtsm hops without multihop":         {func(r *intent.Router) { r.Neighbors[0].TTLSecurityHops = 2 }, "TTLSecurityHops 2: BIRD derives"},
		"multihop bfd without local address": {func(r *intent.Router) { r.Neighbors[3].UpdateSource = "" }, "needs a local address"},
		"bad community":                      {func(r *intent.Router) { r.SpeakerPolicy.CommunityActions[1].Community = "large:1:2" }, "SpeakerPolicy.CommunityActions[1].Community"},
		"no accept":                          {func(r *intent.Router) { r.SpeakerPolicy.Accept = nil }, "SpeakerPolicy.Accept: empty"},
	} {
		t.Run(name, func(t *testing.T) {
			r := full()
			tc.mutate(&r)
			_, err := bird.New().Render(r)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
