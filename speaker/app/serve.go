package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/bgplb/bgplb/speaker/bfdio"
	"github.com/bgplb/bgplb/speaker/metrics"
	"github.com/bgplb/bgplb/speaker/reconcile"
	"github.com/bgplb/bgplb/speaker/router"
)

// observability serves /metrics, /healthz and /readyz.
type observability struct {
	reg     *prometheus.Registry
	metrics *metrics.Metrics
	rt      router.Router
	loop    *reconcile.Loop
}

func newObservability(node string, rt router.Router, bfdSessions func() []bfdio.Status) (*observability, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m, err := metrics.New(reg, node)
	if err != nil {
		return nil, err
	}
	if _, err := metrics.NewBFD(reg, bfdSessions, m.VRF); err != nil {
		return nil, err
	}
	return &observability{reg: reg, metrics: m, rt: rt}, nil
}

func (o *observability) observe(rep reconcile.Report) { o.metrics.Observe(rep) }

// ready: the first reconcile has applied, and at least one selected session is
// Established (or this node runs no peer).
func (o *observability) ready(ctx context.Context) error {
	if o.loop == nil {
		return errors.New("starting")
	}
	rep := o.loop.Last()
	switch {
	case rep.Seq == 0:
		return errors.New("no reconcile yet (caches syncing)")
	case !rep.Applied():
		return fmt.Errorf("last reconcile did not apply: %v", rep.Err)
	case len(rep.Peers) == 0:
		return nil
	}
	ss, err := o.rt.Sessions(ctx)
	if err != nil {
		return err
	}
	for _, s := range ss {
		if s.State == router.Established {
			return nil
		}
	}
	return fmt.Errorf("none of %d BGP sessions is Established", len(rep.Peers))
}

func (o *observability) serve(ctx context.Context, addr string, withPprof bool, log *slog.Logger) error {
	if addr == "" || addr == "0" {
		<-ctx.Done()
		return nil
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(o.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		if err := o.ready(r.Context()); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	if withPprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("metrics listener %s: %w", addr, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	log.Info("serving metrics and health", "addr", ln.Addr().String())
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
