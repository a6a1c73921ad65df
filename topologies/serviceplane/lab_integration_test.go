package serviceplane

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Helpers shared by the integration tests: real namespaces, cleaned up even
// when a test fails.

func requireRoot(t *testing.T, tools ...string) {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: needs root and network namespaces; skipped with -short")
	}
	if os.Geteuid() != 0 {
		t.Skip("integration test: needs root to create network namespaces")
	}
	for _, tool := range append([]string{"ip"}, tools...) {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("integration test: %s not found: %v", tool, err)
		}
	}
}

// sh runs a command with a bounded time and returns its combined output.
func sh(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s: %w: %s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

func mustSh(t *testing.T, args ...string) string {
	t.Helper()
	out, err := sh(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// addNamespace creates a namespace with lo up, removing a leftover of a
// crashed earlier run first, and deletes it when the test ends.
func addNamespace(t *testing.T, name string) {
	t.Helper()
	sh(t, "ip", "netns", "del", name) // leftover of a crashed run, if any
	mustSh(t, "ip", "netns", "add", name)
	t.Cleanup(func() {
		if _, err := sh(t, "ip", "netns", "del", name); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	mustSh(t, "ip", "-n", name, "link", "set", "lo", "up")
}

// eventually polls cond every 20ms until it holds or timeout passes, and
// returns how long it took. The last message explains a failure.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) time.Duration {
	t.Helper()
	start := time.Now()
	deadline := start.Add(timeout)
	for {
		ok, msg := cond()
		if ok {
			return time.Since(start)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not true after %v: %s", what, timeout, msg)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestIntegrationListenIn proves a listener opened by ListenIn lives in the
// namespace: reachable from inside it, not from the host.
func TestIntegrationListenIn(t *testing.T) {
	requireRoot(t, "curl")
	const ns = "bgplbtest-ln"
	addNamespace(t, ns)
	l, err := ListenIn(t.Context(), ns, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := serveNodeName(l, "inside")
	t.Cleanup(func() { srv.Close() })
	url := "http://" + l.Addr().String() + "/"

	out, err := sh(t, "ip", "netns", "exec", ns, "curl", "-sS", "--max-time", "3", url)
	if err != nil || out != "inside\n" {
		t.Fatalf("from inside the namespace: %q %v", out, err)
	}
	if out, err := sh(t, "curl", "-sS", "--max-time", "3", url); err == nil {
		t.Fatalf("the host reached a listener that should live in %s: %q", ns, out)
	}
	if _, err := ListenIn(t.Context(), "bgplbtest-missing", "127.0.0.1:0"); err == nil || !strings.Contains(err.Error(), "bgplbtest-missing") {
		t.Fatalf("missing namespace: %v", err)
	}
}
