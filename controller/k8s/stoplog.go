package k8s

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
)

// stopHandler is the slog handler controller-runtime logs through. On a normal
// stop (our context cancelled) the manager releases the Lease, its elector calls
// OnStoppedLeading, and the manager logs "leader election lost" as an error
// although nothing was lost. Once stopping is set, that one record becomes an Info
// line saying what happened; everything else passes unchanged, and a Lease lost
// while running stays an error.
type stopHandler struct {
	slog.Handler
	stopping *atomic.Bool
}

func (h stopHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError && h.stopping.Load() && leaseLost(r) {
		return h.Handler.Handle(ctx, slog.NewRecord(r.Time, slog.LevelInfo, "leader Lease released on shutdown", r.PC))
	}
	return h.Handler.Handle(ctx, r)
}

func (h stopHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return stopHandler{Handler: h.Handler.WithAttrs(as), stopping: h.stopping}
}

func (h stopHandler) WithGroup(name string) slog.Handler {
	return stopHandler{Handler: h.Handler.WithGroup(name), stopping: h.stopping}
}

func leaseLost(r slog.Record) bool {
	lost := strings.Contains(r.Message, "leader election lost")
	r.Attrs(func(a slog.Attr) bool {
		lost = lost || strings.Contains(a.Value.String(), "leader election lost")
		return !lost
	})
	return lost
}
