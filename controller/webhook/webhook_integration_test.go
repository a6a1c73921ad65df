package webhook_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	apischeme "github.com/bgplb/bgplb/api/scheme"
	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/config"
	"github.com/bgplb/bgplb/controller/k8s"
	"github.com/bgplb/bgplb/controller/webhook"
	"github.com/bgplb/bgplb/testing/cptest"
)

const ns = config.DefaultNamespace

// TestIntegrationWebhook registers the webhook with a real kube-apiserver (by
// URL on 127.0.0.1: there is no Service network here) and checks what kubectl
// users would see: bad changes refused with lint's message, good ones admitted,
// the caBundle kept by the controller, and fail-open while it is away.
func TestIntegrationWebhook(t *testing.T) {
	cp := cptest.Start(t, ".")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := cp.InstallCRDs(ctx, filepath.Join("..", "..", "deploy", "crds")); err != nil {
		t.Fatal(err)
	}
	s, _ := apischeme.New()
	c, err := client.New(cp.RESTConfig(), client.Options{Scheme: s})
	if err != nil {
		t.Fatal(err)
	}
	must(t, c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}))
	addr := freeAddr(t)
	must(t, c.Create(ctx, webhookConfig("https://"+addr+webhook.Path)))

	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	serve := func() context.CancelFunc {
		sctx, stop := context.WithCancel(ctx)
		h := &webhook.Handler{Namespace: ns, Log: log,
			Snapshot: func(ctx context.Context) (config.Resources, error) { return k8s.Snapshot(ctx, c, ns) }}
		certs := &webhook.Certs{Client: c, Namespace: ns, Secret: "bgplb-webhook-cert", Service: "bgplb-webhook",
			WebhookConfig: "bgplb-validating-webhook", ExtraIPs: []net.IP{net.ParseIP("127.0.0.1")}, Now: time.Now, Log: log}
		done := make(chan error, 1)
		go func() { done <- webhook.Serve(sctx, addr, h, certs) }()
		waitListening(t, addr)
		return func() { stop(); <-done }
	}
	stop := serve()

	var vwc admissionregistrationv1.ValidatingWebhookConfiguration
	must(t, c.Get(ctx, client.ObjectKey{Name: "bgplb-validating-webhook"}, &vwc))
	if len(vwc.Webhooks[0].ClientConfig.CABundle) == 0 {
		t.Fatal("caBundle not patched")
	}
	must(t, c.Create(ctx, pool("vips", "198.18.0.0/24")))
	err = c.Create(ctx, adv("bad", "no-such-alias"))
	if err == nil || !strings.Contains(err.Error(), "bgplb: BGPAdvertisement bad would make the configuration invalid") ||
		!strings.Contains(err.Error(), "no-such-alias") {
		t.Fatalf("unknown alias admitted or refused without saying why: %v", err)
	}
	t.Logf("refused as a user sees it: %v", err)
	if err := c.Create(ctx, pool("overlap", "198.18.0.128/25")); err == nil {
		t.Error("an overlapping pool was admitted")
	}

	// Fail open: with the webhook away, nothing is blocked.
	stop()
	if err := c.Create(ctx, adv("bad", "no-such-alias")); err != nil {
		t.Fatalf("webhook down, yet the apiserver refused: %v", err)
	}
	stop = serve()
	defer stop()
	// The configuration is now broken; it must stay fixable, and other changes pass...
	must(t, c.Create(ctx, pool("more", "198.18.1.0/24")))
	// ...but a change adding a new error is still refused.
	if err := c.Create(ctx, adv("worse", "another-missing")); err == nil {
		t.Error("a new error was admitted into an already broken configuration")
	}
	fixed := &v1beta1.BGPAdvertisement{}
	must(t, c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "bad"}, fixed))
	fixed.Spec.Communities = []string{"64512:100"}
	must(t, c.Update(ctx, fixed))
}

func webhookConfig(url string) *admissionregistrationv1.ValidatingWebhookConfiguration {
	ignore, none := admissionregistrationv1.Ignore, admissionregistrationv1.SideEffectClassNone
	timeout := int32(5)
	return &admissionregistrationv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "bgplb-validating-webhook"},
		Webhooks: []admissionregistrationv1.ValidatingWebhook{{
			Name:                    "validate.bgplb.metallb.io",
			ClientConfig:            admissionregistrationv1.WebhookClientConfig{URL: &url},
			FailurePolicy:           &ignore,
			SideEffects:             &none,
			TimeoutSeconds:          &timeout,
			AdmissionReviewVersions: []string{"v1"},
			Rules: []admissionregistrationv1.RuleWithOperations{{
				Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
				Rule: admissionregistrationv1.Rule{APIGroups: []string{"metallb.io"}, APIVersions: []string{"*"},
					Resources: []string{"ipaddresspools", "bgppeers", "bgpadvertisements", "communities", "bfdprofiles"}},
			}},
		}},
	}
}

func pool(name, cidr string) *v1beta1.IPAddressPool {
	return &v1beta1.IPAddressPool{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Spec: v1beta1.IPAddressPoolSpec{Addresses: []string{cidr}}}
}

func adv(name string, communities ...string) *v1beta1.BGPAdvertisement {
	return &v1beta1.BGPAdvertisement{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Spec: v1beta1.BGPAdvertisementSpec{Communities: communities}}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
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

func waitListening(t *testing.T, addr string) {
	for i := 0; i < 100; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal(fmt.Errorf("webhook not listening on %s", addr))
}
