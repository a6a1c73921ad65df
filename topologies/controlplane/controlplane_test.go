package controlplane

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func parseCert(t *testing.T, data []byte) *x509.Certificate {
	t.Helper()
	b, _ := pem.Decode(data)
	if b == nil {
		t.Fatal("no PEM block")
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPKIChains(t *testing.T) {
	p, err := newPKI(time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(parseCert(t, p.caPEM))
	serving := parseCert(t, p.servingPEM)
	if _, err := serving.Verify(x509.VerifyOptions{Roots: roots, DNSName: "127.0.0.1"}); err != nil {
		t.Errorf("serving certificate for 127.0.0.1: %v", err)
	}
	admin := parseCert(t, p.adminPEM)
	if _, err := admin.Verify(x509.VerifyOptions{Roots: roots,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("admin client certificate: %v", err)
	}
	if got := admin.Subject.Organization; len(got) != 1 || got[0] != "system:masters" {
		t.Errorf("admin organization = %v, want [system:masters]", got)
	}
	if _, err := serving.Verify(x509.VerifyOptions{Roots: roots, DNSName: "example.com"}); err == nil {
		t.Error("serving certificate verified for a name it does not carry")
	}
}

func TestFindBinariesPrecedence(t *testing.T) {
	dir := t.TempDir()
	exe := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	env := map[string]string{
		EnvAPIServer: exe("ours-api"), EnvAssetAPIServer: exe("asset-api"),
		EnvAssetEtcd: exe("asset-etcd"),
	}
	got, err := FindBinaries(Binaries{}, func(k string) string { return env[k] }, dir)
	if err != nil {
		t.Fatal(err)
	}
	if got.APIServer != env[EnvAPIServer] || got.Etcd != env[EnvAssetEtcd] {
		t.Errorf("got %+v: want BGPLB_* before TEST_ASSET_*", got)
	}
	got, err = FindBinaries(Binaries{Etcd: exe("given")}, func(k string) string { return env[k] }, dir)
	if err != nil || got.Etcd != filepath.Join(dir, "given") {
		t.Errorf("explicit path must win: %+v %v", got, err)
	}
	// Nothing set, no repository above dir: the error names both and the fix.
	_, err = FindBinaries(Binaries{}, func(string) string { return "" }, dir)
	if err == nil || !strings.Contains(err.Error(), EnvAPIServer) || !strings.Contains(err.Error(), EnvEtcd) {
		t.Errorf("want an error naming both variables, got %v", err)
	}
}

func TestPIDFile(t *testing.T) {
	dir := t.TempDir()
	for _, e := range []pidEntry{{"etcd", 100}, {"kube-apiserver", 200}} {
		if err := appendPID(dir, e.name, e.pid); err != nil {
			t.Fatal(err)
		}
	}
	got, err := readPIDs(dir)
	if err != nil || len(got) != 2 || got[1] != (pidEntry{"kube-apiserver", 200}) {
		t.Fatalf("readPIDs = %v, %v", got, err)
	}
	// Our own PID's command line does not name dir, so Cleanup must not touch it.
	if ownedBy(os.Getpid(), dir) {
		t.Error("test process claimed by an unrelated state dir")
	}
	if err := os.WriteFile(filepath.Join(dir, pidFileName), []byte("etcd x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readPIDs(dir); err == nil {
		t.Error("bad PID line accepted")
	}
}
