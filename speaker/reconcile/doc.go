// Package reconcile is the speaker's loop: snapshot → configuration → desired
// announcements → plan → router port.
//
// It is the pure-ish core between the Kubernetes adapter (speaker/k8s, which fills
// Snapshots from informers) and the BGP adapter (speaker/gobgp, behind the
// speaker/router port). It imports neither client-go nor GoBGP, so every rule below
// is unit-tested against the router fake:
//
//   - Last good configuration: an invalid configuration (config.For returns
//     errors) is reported, and the last valid one keeps being announced.
//   - API loss is not a withdrawal: a Source that cannot give a snapshot (caches not
//     synced, apiserver gone before the first sync) makes the loop keep what it
//     announces; only a snapshot can change the routes.
//   - Idempotent: the loop remembers what the router applied and diffs against it;
//     a reconcile whose plan is empty makes no router call at all.
//   - Declarative: changed peers are handed the FULL desired state (SetPeers with
//     every peer, SetRoutes with every route of a peer); a failed call marks the
//     peer stale, so the next reconcile hands it its full state again, and the
//     loop retries after Options.RetryAfter.
//   - Coalescing: Trigger only marks the loop dirty; one worker reconciles at once
//     on the latest snapshot, then pauses Options.Pace times as long as the pass
//     took (at most Options.Interval), so one change goes out without waiting for a
//     timer and 10,000 Service events arriving together cost a handful of
//     reconciles, not 10,000.
//   - Shutdown: peers with graceful restart are closed gracefully (routers keep our
//     routes until we are back); the others are removed first, so their routers
//     drop our routes at once instead of after the hold time.
package reconcile
