package webhook

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Serve runs the webhook on addr (HTTPS, certificates from certs) until ctx is
// done. Every replica serves, leader or not: admission must not wait for an
// election.
func Serve(ctx context.Context, addr string, h *Handler, certs *Certs) error {
	if err := certs.Ensure(ctx); err != nil {
		return err
	}
	go certs.Run(ctx)
	mux := http.NewServeMux()
	mux.Handle(Path, h)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("webhook listener %s: %w", addr, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		TLSConfig: &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: certs.GetCertificate}}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	h.Log.Info("serving the validating webhook", "addr", ln.Addr().String(), "path", Path)
	if err := srv.ServeTLS(ln, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
