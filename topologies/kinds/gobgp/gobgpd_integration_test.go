package gobgp_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bgplb/bgplb/topologies/intent/intenttest"
	"github.com/bgplb/bgplb/topologies/kinds/gobgp"
)

// TestIntegrationGobgpdLoads starts gobgpd on each rendered file for two seconds in a
// private network namespace (so it binds nothing on the host and reaches no peer) and
// fails on any error or warning it logs: unlike --dry-run, starting builds the defined
// sets and policies. A config naming an undefined prefix set proves the check can fail.
func TestIntegrationGobgpdLoads(t *testing.T) {
	if testing.Short() {
		t.Skip("starts gobgpd; not a -short test")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root for a private network namespace (unshare -n)")
	}
	for _, tool := range []string{"gobgpd", "unshare", "ip"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed: %v", tool, err)
		}
	}
	for name, intent := range cases {
		t.Run(name, func(t *testing.T) {
			files, err := gobgp.New().Render(intent())
			if err != nil {
				t.Fatal(err)
			}
			if bad := startGobgpd(t, intenttest.File(t, files, "gobgpd.toml")); bad != "" {
				t.Fatalf("gobgpd complained about %s/gobgpd.toml:\n%s", name, bad)
			}
		})
	}
	t.Run("broken policy is reported", func(t *testing.T) {
		files, _ := gobgp.New().Render(full())
		conf := strings.Replace(string(intenttest.File(t, files, "gobgpd.toml")), `prefix-set = "speaker-vips-v4"`, `prefix-set = "undefined"`, 1)
		if bad := startGobgpd(t, []byte(conf)); bad == "" {
			t.Fatal("gobgpd loaded a policy naming an undefined prefix set without complaint")
		}
	})
}

var complaint = regexp.MustCompile(`(?m)^.*level=(warning|error|fatal|panic).*$`)

// startGobgpd runs gobgpd for two seconds and returns the lines it logged above info.
func startGobgpd(t *testing.T, conf []byte) string {
	file := filepath.Join(t.TempDir(), "gobgpd.toml")
	if err := os.WriteFile(file, conf, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	// unshare and sh exec into gobgpd, so the context's kill stops the only process,
	// and the namespace goes with it.
	cmd := exec.CommandContext(ctx, "unshare", "-n", "sh", "-c",
		`ip link set lo up && exec gobgpd -p --pprof-disable --api-hosts 127.0.0.1:50051 -t toml -f "$0"`, file)
	out, _ := cmd.CombinedOutput()
	return strings.Join(complaint.FindAllString(string(out), -1), "\n")
}
