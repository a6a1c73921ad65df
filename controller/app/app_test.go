package app_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/bgplb/bgplb/controller/app"
	"github.com/bgplb/bgplb/topologies/controlplane"
)

func TestParse(t *testing.T) {
	f, err := app.Parse(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if f.Namespace != "metallb-system" || !f.LeaderElect || f.MetricsAddr != ":7472" || f.HealthAddr != ":7473" || f.LBClass != "" || f.Kubeconfig != "" {
		t.Errorf("defaults: %+v", f)
	}
	f, err = app.Parse([]string{"--kubeconfig", "/k", "--namespace", "lb", "--lb-class", "x", "--leader-elect=false",
		"--metrics-addr", "127.0.0.1:1", "--health-addr", "0", "--log-level", "debug"}, io.Discard)
	if err != nil || f.Kubeconfig != "/k" || f.Namespace != "lb" || f.LBClass != "x" || f.LeaderElect || f.MetricsAddr != "127.0.0.1:1" || f.HealthAddr != "0" {
		t.Errorf("flags: %+v %v", f, err)
	}
	for _, bad := range [][]string{{"--log-level", "loud"}, {"--nope"}, {"extra"}} {
		if _, err := app.Parse(bad, io.Discard); !errors.Is(err, app.ErrUsage) {
			t.Errorf("%v: err %v, want ErrUsage", bad, err)
		}
	}
	var help bytes.Buffer
	if _, err := app.Parse([]string{"-h"}, &help); !errors.Is(err, flag.ErrHelp) || !strings.Contains(help.String(), "--lb-class") && !strings.Contains(help.String(), "-lb-class") {
		t.Errorf("help: %v %q", err, help.String())
	}
}

func TestRunVersion(t *testing.T) {
	var out bytes.Buffer
	if err := app.Run(context.Background(), nil, []string{"--version"}, &out, io.Discard); err != nil || !strings.HasPrefix(out.String(), "controller ") {
		t.Errorf("version: %v %q", err, out.String())
	}
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestIntegrationAppRun runs the controller as the binary does — kubeconfig, leader
// election, metrics and health servers — against a real apiserver, then stops it as
// SIGTERM would and checks it returns cleanly.
func TestIntegrationAppRun(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: needs kube-apiserver and etcd; skipped with -short")
	}
	if _, err := controlplane.FindBinaries(controlplane.Binaries{}, os.Getenv, "."); err != nil {
		t.Skipf("control plane binaries missing: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cp, err := controlplane.Start(ctx, controlplane.Options{StateDir: t.TempDir(), DieWithParent: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cp.Stop() })
	if err := cp.InstallCRDs(ctx, filepath.Join("..", "..", "deploy", "crds")); err != nil {
		t.Fatal(err)
	}
	cs := kubernetes.NewForConfigOrDie(cp.RESTConfig())
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "metallb-system"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	metrics, health := freeAddr(t), freeAddr(t)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	go func() {
		done <- app.Run(runCtx, logger, []string{"--kubeconfig", cp.Kubeconfig(), "--metrics-addr", metrics, "--health-addr", health}, io.Discard, io.Discard)
	}()
	get := func(url string) (int, string) {
		resp, err := http.Get(url)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	// Ready once it leads and a valid (empty) configuration is in force.
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, body := get("http://" + health + "/readyz")
		if code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz never ok: %d %s", code, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if code, _ := get("http://" + health + "/healthz"); code != http.StatusOK {
		t.Errorf("/healthz: %d", code)
	}
	code, body := get("http://" + metrics + "/metrics")
	for _, want := range []string{"metallb_k8s_client_config_loaded_bool 1", "metallb_k8s_client_config_stale_bool 0"} {
		if code != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("/metrics (%d) lacks %q", code, want)
		}
	}
	if _, err := cs.CoordinationV1().Leases("metallb-system").Get(ctx, "bgplb-controller", metav1.GetOptions{}); err != nil {
		t.Errorf("leader Lease: %v", err)
	}
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run after stop: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal(fmt.Errorf("Run did not return within 30s of the stop"))
	}
}
