package reconcile

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/bgplb/bgplb/config"
	"github.com/bgplb/bgplb/speaker/router"
	"github.com/bgplb/bgplb/speaker/routes"
)

// ErrClosed is returned by Reconcile after Shutdown.
var ErrClosed = errors.New("reconcile: loop is shut down")

// Reconcile runs one pass on the Source's latest snapshot and returns its Report
// (also handed to the Observer). The error is the Report's Err, or why there was no
// snapshot; either way the routes the router announces stay as they were, except
// for what this pass managed to apply.
func (l *Loop) Reconcile(ctx context.Context) (Report, error) {
	snap, err := l.o.Source.Snapshot()
	if err != nil {
		return Report{}, fmt.Errorf("reconcile: no snapshot, keeping what is announced: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return Report{}, ErrClosed
	}
	l.seq++
	rep := Report{Seq: l.seq, secrets: secretsOf(snap.Resources)}
	cfg, fs := config.For(snap.Resources, config.Options{Namespace: l.o.Namespace})
	rep.Findings = fs
	if fs.HasErrors() {
		cfg = l.lastGood
		l.log.Warn("configuration is invalid; the last valid one stays in force",
			"errors", len(fs.Errors()), "first", fs.Errors()[0].String(), "haveLastGood", cfg != nil)
	} else {
		l.lastGood, rep.ConfigValid = cfg, true
	}
	rep.Config = cfg
	res := routes.Desired(cfg, snap.Node, snap.Services, l.o.Routes)
	rep.Decisions, rep.PeerDecisions = res.Decisions, res.PeerDecisions
	desired := res.State
	cannot := dropUnsupported(&desired)

	updates, err := l.apply(ctx, desired, cfg, &rep)
	rep.Err = err
	l.peerReports(ctx, &rep, desired, updates, cannot)
	l.announce(&rep)
	rep.At = l.o.Now()
	l.last = rep
	if l.o.Observer != nil {
		l.o.Observer(rep)
	}
	if rep.Calls > 0 {
		l.log.Debug("reconciled", "seq", rep.Seq, "calls", rep.Calls, "peers", len(rep.Peers), "error", err)
	}
	return rep, err
}

// apply executes the plan from what the router has applied to desired. It returns
// the route changes applied per peer.
func (l *Loop) apply(ctx context.Context, desired routes.State, cfg *config.Config, rep *Report) (map[string]int, error) {
	plan := routes.Diff(l.running, desired)
	todo := map[string]bool{}
	fresh := map[string]bool{} // peers whose session this pass opened
	for name := range l.stale {
		if _, ok := desired.Peers[name]; ok {
			todo[name] = true
		} else {
			delete(l.stale, name)
		}
	}
	for _, rc := range plan.Routes {
		todo[rc.Peer] = true
	}
	if !l.peersOK || len(plan.RemovePeers)+len(plan.UpdatePeers)+len(plan.AddPeers) > 0 {
		peers := peersFor(desired, cfg)
		rep.Calls++
		if err := l.o.Router.SetPeers(ctx, peers); err != nil {
			// Sessions may be half changed: hand every peer over again next time, and
			// leave routes alone until the sessions they ride on are right.
			l.peersOK = false
			return nil, fmt.Errorf("set peers: %w", err)
		}
		l.peersOK, l.applied = true, peers
		for _, name := range plan.RemovePeers {
			delete(l.running.Peers, name) // a closed session's routes are gone with it
		}
		for _, u := range plan.UpdatePeers {
			cur := l.running.Peers[u.New.Name]
			cur.Session = u.New
			l.running.Peers[u.New.Name] = cur
			l.log.Info("peer changed", "peer", u.New.Name, "fields", u.Changed, "reset", u.Reset)
		}
		for _, s := range plan.AddPeers {
			l.running.Peers[s.Name] = routes.Peer{Session: s, Routes: routes.RouteSet{}}
			// Even with no routes: the session opens at its first SetRoutes.
			todo[s.Name], fresh[s.Name] = true, true
		}
	}
	changes := map[string]*routes.RouteChanges{}
	for i, rc := range plan.Routes {
		changes[rc.Peer] = &plan.Routes[i]
	}
	updates := map[string]int{}
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(todo)) {
		want := desired.Peers[name].Routes
		rep.Calls++
		if err := l.setRoutes(ctx, name, want, changes[name], fresh[name]); err != nil {
			l.stale[name] = true
			errs = append(errs, fmt.Errorf("set routes of peer %s: %w", name, err))
			continue
		}
		delete(l.stale, name)
		cur := l.running.Peers[name]
		cur.Routes = want // desired maps are built fresh per pass and never modified
		l.running.Peers[name] = cur
		if rc := changes[name]; rc != nil {
			updates[name] = len(rc.Add) + len(rc.Replace) + len(rc.Withdraw)
		}
	}
	return updates, errors.Join(errs...)
}

// setRoutes hands one peer's routes to the router: only the change when the router
// takes changes and the loop's record of what it holds is true (the peer is
// neither stale nor new in this pass), the whole set otherwise. A failure marks the
// peer stale, so the next pass repairs it with the whole set.
func (l *Loop) setRoutes(ctx context.Context, name string, want routes.RouteSet, rc *routes.RouteChanges, fresh bool) error {
	u, ok := l.o.Router.(router.Updater)
	if !ok || fresh || l.stale[name] || rc == nil {
		return l.o.Router.SetRoutes(ctx, name, routesFor(want))
	}
	set := make([]router.Route, 0, len(rc.Add)+len(rc.Replace))
	for _, r := range rc.Add {
		set = append(set, routeFor(r.Prefix, r.Attrs))
	}
	for _, r := range rc.Replace {
		set = append(set, routeFor(r.Prefix, r.Attrs))
	}
	return u.UpdateRoutes(ctx, name, set, rc.Withdraw)
}

// peerReports fills rep.Peers: one entry per desired peer and per peer the port
// cannot run. Counts come from the loop's record, or from the router when an apply
// failed (its record stays true through partial failures).
func (l *Loop) peerReports(ctx context.Context, rep *Report, desired routes.State, updates map[string]int, cannot map[string]string) {
	var sessions map[string]router.Session
	if rep.Err != nil {
		if ss, err := l.o.Router.Sessions(ctx); err == nil {
			sessions = map[string]router.Session{}
			for _, s := range ss {
				sessions[s.Peer] = s
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(desired.Peers)) {
		p := desired.Peers[name]
		pr := PeerReport{Name: name, GracefulRestart: p.Session.GracefulRestart, Updates: updates[name]}
		if s, ok := sessions[name]; ok {
			pr.Applied, pr.Pending = s.PrefixesSent, s.PrefixesPending
		} else if run, ok := l.running.Peers[name]; ok && l.peersOK {
			pr.Applied = len(run.Routes)
		}
		if l.stale[name] || !l.peersOK {
			if pr.Pending == 0 {
				pr.Pending = len(p.Routes)
			}
			pr.Error = "not all routes applied: " + errString(rep.Err)
		}
		rep.Peers = append(rep.Peers, pr)
	}
	for _, name := range slices.Sorted(maps.Keys(cannot)) {
		rep.Peers = append(rep.Peers, PeerReport{Name: name, Error: cannot[name]})
	}
	slices.SortFunc(rep.Peers, func(a, b PeerReport) int { return cmpString(a.Name, b.Name) })
}

// announce fills Announced and NewlyAnnounced from the decisions whose peer has
// its routes applied.
func (l *Loop) announce(rep *Report) {
	rep.Announced = map[string]bool{}
	for _, d := range rep.Decisions {
		if d.Announced && !l.stale[d.Peer] && l.peersOK {
			rep.Announced[d.Service] = true
		}
	}
	for svc := range rep.Announced {
		if !l.announced[svc] {
			rep.NewlyAnnounced = append(rep.NewlyAnnounced, svc)
		}
	}
	slices.Sort(rep.NewlyAnnounced)
	l.announced = rep.Announced
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
