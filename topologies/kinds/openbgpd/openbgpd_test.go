package openbgpd_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bgplb/bgplb/topologies/intent"
	"github.com/bgplb/bgplb/topologies/intent/intenttest"
	"github.com/bgplb/bgplb/topologies/kinds/openbgpd"
)

// full is the everything intent without what OpenBGPD lacks (BFD), and with the hold
// time its keepalive implies.
func full() intent.Router {
	r := intenttest.WithoutBFD(intenttest.Full())
	for i := range r.Neighbors {
		if k := r.Neighbors[i].KeepaliveTime; k > 0 {
			r.Neighbors[i].HoldTime = 3 * k
		}
	}
	return r
}

var cases = map[string]func() intent.Router{"minimal": intenttest.Minimal, "full": full, "routers": intenttest.Routers}

func TestGolden(t *testing.T) {
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			files, err := openbgpd.New().Render(in())
			if err != nil {
				t.Fatal(err)
			}
			intenttest.Golden(t, name, files)
		})
	}
}

func TestRefusesWhatOpenBGPDCannotDo(t *testing.T) {
	_, err := openbgpd.New().Render(intenttest.Full())
	if err == nil || !strings.Contains(err.Error(), "BFD: OpenBGPD has no BFD") {
		t.Errorf("BFD: %v", err)
	}
}

// TestBgpdParses has OpenBGPD's own parser (`bgpd -n`) read every rendered file, and a
// broken one to prove the check can fail.
func TestBgpdParses(t *testing.T) {
	bgpd, err := exec.LookPath("bgpd")
	if err != nil {
		t.Skip("bgpd is not installed (apt-get install openbgpd): cannot check the rendered bgpd.conf")
	}
	check := func(conf []byte) (string, error) {
		path := filepath.Join(t.TempDir(), "bgpd.conf")
		if err := os.WriteFile(path, conf, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(bgpd, "-n", "-f", path).CombinedOutput()
		return string(out), err
	}
	for name, in := range cases {
		files, err := openbgpd.New().Render(in())
		if err != nil {
			t.Fatal(err)
		}
		if out, err := check(intenttest.File(t, files, "bgpd.conf")); err != nil {
			t.Errorf("bgpd -n rejects %s/bgpd.conf: %v\n%s", name, err, out)
		}
	}
	if _, err := check([]byte("AS 64512\nneighbor 192.0.2.9 { remote-as }\n")); err == nil {
		t.Error("bgpd -n accepted a broken file: the check cannot fail")
	}
}
