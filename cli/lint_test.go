package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const validConfig = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: pool, namespace: metallb-system}
spec: {addresses: [198.51.100.0/24]}
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: {name: tor, namespace: metallb-system}
spec: {myASN: 64513, peerASN: 64512, peerAddress: 192.0.2.1}
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: {name: all, namespace: metallb-system}
spec: {ipAddressPools: [pool]}
`

// invalidConfig has an unknown field, which is an error whatever rules the
// configuration core has.
const invalidConfig = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: pool, namespace: metallb-system}
spec: {adresses: [198.51.100.0/24]}
`

func runCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Run(context.Background(), args, Streams{In: strings.NewReader(stdin), Out: &out, Err: &errOut})
	return code, out.String(), errOut.String()
}

func TestLintExitCodes(t *testing.T) {
	dir := t.TempDir()
	valid := filepath.Join(dir, "valid.yaml")
	invalid := filepath.Join(dir, "invalid.yaml")
	broken := filepath.Join(dir, "broken.yaml")
	for path, content := range map[string]string{valid: validConfig, invalid: invalidConfig, broken: "kind: [\n"} {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name       string
		stdin      string
		args       []string
		code       int
		wantOut    string
		wantStderr string
	}{
		{"valid file", "", []string{"lint", "-f", valid}, ExitOK, "0 errors", ""},
		{"valid stdin as json", validConfig, []string{"lint", "-f", "-", "-o", "json"}, ExitOK, `"valid": true`, ""},
		{"error found", "", []string{"lint", "-f", invalid}, ExitFailure, invalid + ":1: error: IPAddressPool/pool spec.adresses", ""},
		{"error found json", "", []string{"lint", "-f", invalid, "-o", "json"}, ExitFailure, `"valid": false`, ""},
		{"missing file", "", []string{"lint", "-f", filepath.Join(dir, "nope.yaml")}, ExitUsage, "", "nope.yaml"},
		{"broken YAML", "", []string{"lint", "-f", broken}, ExitUsage, "", broken + ":1: invalid YAML"},
		{"no -f", "", []string{"lint"}, ExitUsage, "", "-f PATH is required"},
		{"bad -o", "", []string{"lint", "-f", valid, "-o", "yaml"}, ExitUsage, "", "-o must be text or json"},
		{"unknown flag", "", []string{"lint", "--frobnicate"}, ExitUsage, "", "unknown flag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.stdin, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out, errOut)
			}
			if !strings.Contains(out, tt.wantOut) {
				t.Errorf("stdout does not contain %q:\n%s", tt.wantOut, out)
			}
			if !strings.Contains(errOut, tt.wantStderr) {
				t.Errorf("stderr does not contain %q:\n%s", tt.wantStderr, errOut)
			}
		})
	}
}

func TestLintJSONShape(t *testing.T) {
	_, out, _ := runCLI(t, invalidConfig, "lint", "-f", "-", "-o", "json")
	var got struct {
		Valid    bool             `json:"valid"`
		Errors   []map[string]any `json:"errors"`
		Warnings []map[string]any `json:"warnings"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if got.Valid || len(got.Errors) == 0 || got.Warnings == nil {
		t.Fatalf("unexpected report %+v", got)
	}
	for _, key := range []string{"file", "line", "kind", "name", "field", "code", "message", "hint"} {
		if _, ok := got.Errors[0][key]; !ok {
			t.Errorf("finding lacks %q: %v", key, got.Errors[0])
		}
	}
	if got.Errors[0]["file"] != "<stdin>" || got.Errors[0]["line"] != float64(1) {
		t.Errorf("finding not placed at <stdin>:1: %v", got.Errors[0])
	}
}
