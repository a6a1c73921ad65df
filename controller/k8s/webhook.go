package k8s

import (
	"context"
	"fmt"
	"time"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	apischeme "github.com/bgplb/bgplb/api/scheme"
	"github.com/bgplb/bgplb/config"
	"github.com/bgplb/bgplb/controller/webhook"
)

// webhookRunnable serves admission on every replica: it needs no leadership.
type webhookRunnable struct {
	addr    string
	handler *webhook.Handler
	certs   *webhook.Certs
}

func (w *webhookRunnable) NeedLeaderElection() bool { return false }

// Start serves until ctx is done. A webhook that cannot serve is loud in the log
// but never stops the controller: the configuration fails open (failurePolicy
// Ignore) and ConfigurationState still reports every finding.
func (w *webhookRunnable) Start(ctx context.Context) error {
	for ctx.Err() == nil {
		err := webhook.Serve(ctx, w.addr, w.handler, w.certs)
		if err == nil {
			return nil
		}
		w.handler.Log.Error("validating webhook unavailable; admission fails open until it is back", "error", err)
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Second):
		}
	}
	return nil
}

func addWebhook(mgr manager.Manager, cfg *rest.Config, opts Options) error {
	s, err := apischeme.New()
	if err != nil {
		return err
	}
	direct, err := client.New(cfg, client.Options{Scheme: s})
	if err != nil {
		return fmt.Errorf("webhook client: %w", err)
	}
	ns, log := opts.Namespace, opts.Logger.With("component", "webhook")
	reader := mgr.GetAPIReader()
	w := &webhookRunnable{addr: opts.Webhook.Addr,
		handler: &webhook.Handler{Namespace: ns, Log: log,
			Snapshot: func(ctx context.Context) (config.Resources, error) { return Snapshot(ctx, reader, ns) }},
		certs: &webhook.Certs{Client: direct, Namespace: ns, Secret: opts.Webhook.Secret, Service: opts.Webhook.Service,
			WebhookConfig: opts.Webhook.Config, ExtraIPs: opts.Webhook.ExtraIPs, Now: time.Now, Log: log}}
	return mgr.Add(w)
}
