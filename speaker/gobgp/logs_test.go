package gobgp

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	gobgplog "github.com/osrg/gobgp/v3/pkg/log"
)

// GoBGP warns once per route when it tears a table down; 10,000 routes must not
// make 10,000 log lines: the first is kept, the rest become one count at flush.
// Every line has one "component" key (the caller's logger brings it).
func TestPerPathWarningsAreFolded(t *testing.T) {
	var buf bytes.Buffer
	b := newLogBridge(slog.New(slog.NewJSONHandler(&buf, nil)).With("component", "gobgp"))
	for range 10_000 {
		b.Warn("No matching path for withdraw found, may be path was not installed into table",
			gobgplog.Fields{"Topic": "Table", "Key": "198.18.0.1/32"})
	}
	b.Warn("something else", nil)
	b.flush()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d log lines, want 3 (first warning, the other one, the count):\n%.1500s", len(lines), buf.String())
	}
	if !strings.Contains(lines[2], `"more":9999`) {
		t.Errorf("the count line is %s, want more=9999", lines[2])
	}
	for _, l := range lines {
		if n := strings.Count(l, `"component"`); n != 1 {
			t.Errorf("%d component keys in %s", n, l)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Errorf("not JSON: %s", l)
		}
	}
}
