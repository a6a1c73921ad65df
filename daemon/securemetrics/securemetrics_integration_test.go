package securemetrics_test

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	authv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/bgplb/bgplb/daemon/securemetrics"
	"github.com/bgplb/bgplb/testing/cptest"
)

// TestIntegrationSecureMetrics: against a real apiserver, /metrics refuses a
// scrape without a token (401) and with a token not allowed to get /metrics (403),
// and serves one that is (200) — the TokenReview and SubjectAccessReview are the
// apiserver's, not ours.
func TestIntegrationSecureMetrics(t *testing.T) {
	cp := cptest.Start(t, ".")
	cfg := cp.RESTConfig()
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	reg := prometheus.NewRegistry()
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "metallb_test_gauge", Help: "a test gauge"})
	g.Set(7)
	reg.MustRegister(g)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	done := make(chan error, 1)
	go func() {
		done <- securemetrics.Serve(ctx, securemetrics.Options{Addr: addr, Gatherer: reg, Config: cfg})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})

	token := func(sa string) string {
		t.Helper()
		_, err := cs.CoreV1().ServiceAccounts("default").Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: sa}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		tr, err := cs.CoreV1().ServiceAccounts("default").CreateToken(ctx, sa, &authv1.TokenRequest{}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return tr.Status.Token
	}
	reader, stranger := token("prometheus"), token("stranger")
	_, err = cs.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "metrics-reader"},
		Rules: []rbacv1.PolicyRule{{NonResourceURLs: []string{"/metrics"}, Verbs: []string{"get"}}}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cs.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "metrics-reader"},
		RoleRef:  rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "metrics-reader"},
		Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Name: "prometheus", Namespace: "default"}}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}

	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	scrape := func(tok string) (int, string) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+addr+"/metrics", nil)
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := hc.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	// Wait for the listener.
	deadline := time.Now().Add(20 * time.Second)
	for code, _ := scrape(""); code == 0 && time.Now().Before(deadline); code, _ = scrape("") {
		time.Sleep(100 * time.Millisecond)
	}
	if code, body := scrape(""); code != http.StatusUnauthorized {
		t.Errorf("no token: %d %q, want 401", code, body)
	}
	// controller-runtime's filter answers a token the apiserver cannot parse with
	// 500 "Authentication failed" (MetalLB's endpoint does the same): refused.
	if code, body := scrape("not-a-token"); code == http.StatusOK || strings.Contains(body, "metallb_test_gauge") {
		t.Errorf("bad token: %d %q, want a refusal", code, body)
	}
	if code, body := scrape(stranger); code != http.StatusForbidden {
		t.Errorf("token without RBAC: %d %q, want 403", code, body)
	}
	// RBAC caches settle quickly, but give the binding a moment.
	var code int
	var body string
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		if code, body = scrape(reader); code == http.StatusOK {
			break
		}
	}
	if code != http.StatusOK || !strings.Contains(body, "metallb_test_gauge 7") {
		t.Errorf("allowed token: %d %q, want 200 with the gauge", code, body)
	}
	// Plain HTTP is not served on this port.
	if resp, err := (&http.Client{Timeout: 2 * time.Second}).Get("http://" + addr + "/metrics"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Error("plain HTTP scrape succeeded on the secure port")
		}
	}
}
