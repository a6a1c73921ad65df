// Package securemetrics serves a Prometheus gatherer over HTTPS behind
// controller-runtime's authentication and authorization filter, as MetalLB's
// controller and speaker serve theirs on port 9120: a scrape needs a bearer token
// the apiserver accepts (TokenReview) and that may `get` the non-resource URL
// /metrics (SubjectAccessReview); otherwise 401 or 403. The certificate comes
// from a directory (tls.crt, tls.key; reloaded when it changes) or, without one,
// is self-signed in memory — controller-runtime's choices, with its code.
//
// It exists beside controller-runtime's metrics server because that server only
// serves controller-runtime's global registry, and the speaker keeps its own.
package securemetrics

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"k8s.io/client-go/rest"
	certutil "k8s.io/client-go/util/cert"
	"sigs.k8s.io/controller-runtime/pkg/certwatcher"
	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"
)

// DefaultAddr is MetalLB's metrics port (HTTPS, authenticated, since v0.16).
const DefaultAddr = ":9120"

// Options configure Serve.
type Options struct {
	// Addr is the bind address; "" or "0" disables the server.
	Addr string
	// CertDir holds tls.crt and tls.key; empty (or missing files) means a
	// self-signed certificate made at start.
	CertDir string
	// Gatherer is what /metrics exposes.
	Gatherer prometheus.Gatherer
	// Config reaches the apiserver for TokenReviews and SubjectAccessReviews.
	Config *rest.Config
	Logger *slog.Logger
}

// Serve listens on o.Addr and serves /metrics until ctx is cancelled.
func Serve(ctx context.Context, o Options) error {
	if o.Addr == "" || o.Addr == "0" {
		<-ctx.Done()
		return nil
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	hc, err := rest.HTTPClientFor(o.Config)
	if err != nil {
		return fmt.Errorf("secure metrics: apiserver client: %w", err)
	}
	filter, err := filters.WithAuthenticationAndAuthorization(o.Config, hc)
	if err != nil {
		return fmt.Errorf("secure metrics: authn/authz filter: %w", err)
	}
	h, err := filter(logr.FromSlogHandler(o.Logger.Handler()),
		promhttp.HandlerFor(o.Gatherer, promhttp.HandlerOpts{ErrorHandling: promhttp.HTTPErrorOnError}))
	if err != nil {
		return fmt.Errorf("secure metrics: %w", err)
	}
	tlsCfg, err := tlsConfig(ctx, o.CertDir, o.Logger)
	if err != nil {
		return err
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", o.Addr)
	if err != nil {
		return fmt.Errorf("secure metrics listener %s: %w", o.Addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, TLSConfig: tlsCfg}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	o.Logger.Info("serving metrics over HTTPS with authentication", "addr", ln.Addr().String())
	if err := srv.Serve(tls.NewListener(ln, tlsCfg)); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func tlsConfig(ctx context.Context, dir string, log *slog.Logger) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if dir != "" {
		crt, key := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
		if exists(crt) && exists(key) {
			w, err := certwatcher.New(crt, key)
			if err != nil {
				return nil, fmt.Errorf("secure metrics: certificate in %s: %w", dir, err)
			}
			go func() {
				if err := w.Start(ctx); err != nil {
					log.Error("metrics certificate watcher", "error", err)
				}
			}()
			cfg.GetCertificate = w.GetCertificate
			return cfg, nil
		}
		log.Warn("no tls.crt/tls.key in the metrics certificate directory; using a self-signed certificate", "dir", dir)
	}
	crtPEM, keyPEM, err := certutil.GenerateSelfSignedCertKey("localhost", []net.IP{{127, 0, 0, 1}}, nil)
	if err != nil {
		return nil, fmt.Errorf("secure metrics: self-signed certificate: %w", err)
	}
	cert, err := tls.X509KeyPair(crtPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("secure metrics: self-signed certificate: %w", err)
	}
	cfg.Certificates = []tls.Certificate{cert}
	return cfg, nil
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
