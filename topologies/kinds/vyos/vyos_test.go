package vyos_test

import (
	"strings"
	"testing"

	"github.com/bgplb/bgplb/topologies/intent"
	"github.com/bgplb/bgplb/topologies/intent/intenttest"
	"github.com/bgplb/bgplb/topologies/kinds/vyos"
)

var cases = map[string]func() intent.Router{
	"minimal": intenttest.Minimal,
	"full":    intenttest.Full,
	"routers": intenttest.Routers,
}

// No VyOS parser runs here (VyOS is not a Debian package), so the goldens are the check;
// TestCommandShape guards the one mistake goldens hide: a malformed line.
func TestGolden(t *testing.T) {
	for name, intent := range cases {
		t.Run(name, func(t *testing.T) {
			files, err := vyos.New().Render(intent())
			if err != nil {
				t.Fatal(err)
			}
			intenttest.Golden(t, name, files)
		})
	}
}

// TestCommandShape checks every line is a comment, blank, or a `set` with balanced
// single quotes around at most one trailing value, as VyOS's CLI expects.
func TestCommandShape(t *testing.T) {
	for name, intent := range cases {
		files, err := vyos.New().Render(intent())
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(intenttest.File(t, files, "config.commands")), "\n") {
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			q := strings.Count(line, "'")
			if !strings.HasPrefix(line, "set ") || (q != 0 && q != 2) || (q == 2 && !strings.HasSuffix(line, "'")) {
				t.Errorf("%s line %d is not a well-formed set command: %s", name, i+1, line)
			}
		}
	}
}

func TestErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		mutate func(*intent.Router)
		want   string
	}{
		"gtsm with multihop": {func(r *intent.Router) { r.Neighbors[3].TTLSecurityHops = 1 }, "Neighbors[3] (192.0.2.31): TTLSecurityHops with EBGPMultihop"},
		"interface name":     {func(r *intent.Router) { r.Interfaces[0].Name = "r1-node1" }, `Interfaces[0].Name "r1-node1"`},
		"bad community":      {func(r *intent.Router) { r.SpeakerPolicy.CommunityActions[2].Community = "no-such" }, "CommunityActions[2].Community"},
		"clashing bfd":       {func(r *intent.Router) { r.Neighbors[2].BFD = &intent.BFD{Profile: "fast"} }, `BFD.Profile "fast"`},
	} {
		t.Run(name, func(t *testing.T) {
			r := intenttest.Full()
			tc.mutate(&r)
			_, err := vyos.New().Render(r)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
