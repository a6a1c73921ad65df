package reconcile

import (
	"context"
	"errors"
	"fmt"
)

// Shutdown stops every session, the way each router should see it go (call it
// after Run has returned; Reconcile refuses to run afterwards):
//
//   - peers with enableGracefulRestart are closed without withdrawing (Close with
//     graceful=true): routers keep our routes as stale until we are back;
//   - the others are removed first (SetPeers without them), which withdraws their
//     routes and closes their sessions with a Cease, so routers drop our routes at
//     once instead of after the hold time.
//
// With no graceful-restart peer at all, Close(graceful=false) does both at once.
func (l *Loop) Shutdown(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	all := l.applied
	var gr []string
	keep := all[:0:0]
	for _, p := range all {
		if p.GracefulRestart {
			gr = append(gr, p.Name)
			keep = append(keep, p)
		}
	}
	switch {
	case len(gr) == 0:
		l.log.Info("shutting down: withdrawing every route", "peers", len(all))
		return wrap(l.o.Router.Close(ctx, false))
	case len(gr) < len(all):
		l.log.Info("shutting down: withdrawing from peers without graceful restart, keeping routes at the others",
			"gracefulRestart", gr, "peers", len(all))
		var errs []error
		if err := l.o.Router.SetPeers(ctx, keep); err != nil {
			errs = append(errs, fmt.Errorf("remove peers without graceful restart: %w", err))
		}
		errs = append(errs, l.o.Router.Close(ctx, true))
		return wrap(errors.Join(errs...))
	default:
		l.log.Info("shutting down gracefully: routers keep our routes until we are back", "gracefulRestart", gr)
		return wrap(l.o.Router.Close(ctx, true))
	}
}

func wrap(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("reconcile: shutdown: %w", err)
}
