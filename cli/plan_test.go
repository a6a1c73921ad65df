package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const planService = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: default, annotations: {metallb.io/ip-allocated-from-pool: pool}}
spec: {type: LoadBalancer, ports: [{port: 80}]}
status: {loadBalancer: {ingress: [{ip: 198.51.100.10}]}}
---
apiVersion: v1
kind: Node
metadata: {name: n1, labels: {kubernetes.io/hostname: n1}}
`

// TestPlanFromFiles drives plan with --from, one case per exit status.
func TestPlanFromFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string { return writeFile(t, dir, name, content) }
	current := write("current.yaml", validConfig+"---\n"+planService)
	same := write("same.yaml", validConfig)
	communities := write("communities.yaml", strings.Replace(validConfig, "spec: {ipAddressPools: [pool]}", "spec: {ipAddressPools: [pool], communities: [\"64512:7\"]}", 1))
	moved := write("moved.yaml", strings.Replace(validConfig, "198.51.100.0/24", "203.0.113.0/24", 1))
	typo := write("typo.yaml", invalidConfig)
	tests := []struct {
		name    string
		args    []string
		code    int
		wantOut string
		wantErr string
	}{
		{"nothing changes", []string{"-f", same}, ExitOK, "no change", ""},
		{"attributes only", []string{"-f", communities}, ExitOK, "communities [] -> communities [64512:7]", ""},
		{"address moves", []string{"-f", moved}, ExitDisruptive, "default/web  changed  198.51.100.10 -> 203.0.113.0", ""},
		{"address moves, json", []string{"-f", moved, "-o", "json"}, ExitDisruptive, `"disruptive": true`, ""},
		{"error in the new file", []string{"-f", typo}, ExitFailure, typo + ":1: error: IPAddressPool/pool spec.adresses", ""},
		{"no -f", nil, ExitUsage, "", "-f NEW_CONFIG is required"},
		{"unreadable new file", []string{"-f", filepath.Join(dir, "nope.yaml")}, ExitUsage, "", "nope.yaml"},
		{"both --from and --kubeconfig", []string{"-f", same, "--kubeconfig", "x"}, ExitUsage, "", "alternatives"},
		{"bad -o", []string{"-f", same, "-o", "table"}, ExitUsage, "", "-o must be one of"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", append([]string{"plan", "--from", current}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out, errOut)
			}
			if !strings.Contains(out, tt.wantOut) || !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("stdout lacks %q or stderr lacks %q\nstdout:\n%s\nstderr:\n%s", tt.wantOut, tt.wantErr, out, errOut)
			}
		})
	}
}

// writeFile writes a test input and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
