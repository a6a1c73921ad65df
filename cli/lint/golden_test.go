package lint

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/bgplb/bgplb/config"
	"github.com/bgplb/bgplb/config/manifest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test -update if the change is intended)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// TestGoldenOutput lints each directory of testdata/golden as one configuration and
// compares the text and JSON reports with testdata/<case>.txt and <case>.json.
func TestGoldenOutput(t *testing.T) {
	for _, c := range []string{"clean", "typos", "broken-refs"} {
		t.Run(c, func(t *testing.T) {
			set, err := manifest.Load([]string{filepath.Join("testdata", "golden", c)}, nil)
			if err != nil {
				t.Fatal(err)
			}
			r := Lint(set, Options{})
			var text, js bytes.Buffer
			if err := r.WriteText(&text); err != nil {
				t.Fatal(err)
			}
			if err := r.WriteJSON(&js); err != nil {
				t.Fatal(err)
			}
			golden(t, c+".txt", text.Bytes())
			golden(t, c+".json", js.Bytes())
		})
	}
}

// TestRenderGolden pins the two output formats on a hand-made report, so that the
// format is tested whatever rules the configuration core has.
func TestRenderGolden(t *testing.T) {
	r := Report{
		Valid: false,
		Errors: []Finding{{
			File: "peers.yaml", Line: 12, Severity: config.SeverityError,
			Kind: "BGPPeer", Name: "tor", Field: "spec.holdTime", Code: "peer-holdtime",
			Message: "holdTime 2s is below the 3s minimum", Hint: "use 0s (no keepalives) or at least 3s",
		}, {
			Severity: config.SeverityError, Kind: "Namespace", Name: "metallb-system",
			Code: "no-place", Message: "a finding no object in the input can be blamed for",
		}},
		Warnings: []Finding{{
			File: "adv.yaml", Line: 1, Severity: config.SeverityWarning,
			Kind: "BGPAdvertisement", Name: "a", Field: "spec.localPref", Code: "localpref-ebgp",
			Message: "localPref only reaches eBGP peers", Hint: "remove localPref",
		}},
		Objects: 7, Skipped: 1, Files: 1,
	}
	var text, js bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	golden(t, "render.txt", text.Bytes())
	golden(t, "render.json", js.Bytes())
}
