package k8s

import (
	"context"
	"log/slog"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/record"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrl "sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/bgplb/bgplb/config"
)

// configReconciler turns the configuration objects into the allocator's pools. It
// has one work item (every watched object maps to it), so snapshots never race.
type configReconciler struct {
	client  client.Client
	reader  client.Reader // uncached, for the ConfigurationState we do not watch
	events  record.EventRecorder
	st      *state
	ns      string
	lbClass string
	log     *slog.Logger
	pools   *poolStatus
	// reported is the digest of the last invalid snapshot whose findings were sent
	// as events, so a resync does not repeat them.
	reported string
}

func (c *configReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	out, err := c.reconcile(ctx, req)
	if err != nil && ctx.Err() != nil {
		return out, nil // shutting down
	}
	return out, err
}

func (c *configReconciler) reconcile(ctx context.Context, _ ctrl.Request) (ctrl.Result, error) {
	res, err := Snapshot(ctx, c.client, c.ns)
	if err != nil {
		return ctrl.Result{}, err
	}
	dg := digest(res)
	cfg, fs := Evaluate(res, c.ns)
	pw := config.Passwords(res)
	_, _, inForce, current := c.st.configStatus()
	if cfg == nil {
		// Keep the last good configuration in force and say so, loudly, once.
		c.st.setConfig(true, "", "")
		if dg != c.reported {
			c.reported = dg
			c.log.Error("configuration invalid, last valid one stays in force",
				"errors", len(fs.Errors()), "inForce", inForce, "findings", config.Redact(fs.Err().Error(), pw))
			c.warnObjects(&res, fs.Errors(), ReasonInvalidConfig, pw)
		}
		return ctrl.Result{}, writeConfigState(ctx, c.client, c.reader, c.ns, ConfigState(fs, inForce, pw))
	}
	c.reported = ""
	if dg != current {
		c.warnObjects(&res, danglingReferences(fs), ReasonMissingReference, pw)
		inForce = InForce(dg, cfg)
		changes := c.st.alloc.SetPools(cfg)
		c.st.setConfig(false, inForce, dg)
		c.log.Info("configuration loaded", "inForce", inForce, "warnings", len(fs.Warnings()), "moved", len(changes))
		keys := make([]string, 0, len(changes))
		for _, ch := range changes {
			keys = append(keys, ch.Key)
			if ch.Reason != nil {
				c.log.Info("pool change takes addresses away", "service", ch.Key, "ip", ch.IPs, "pool", ch.OldPool, "reason", ch.Reason)
			}
		}
		c.st.kick.enqueue(keys...)
		c.st.retryFailed()
		c.pools.touch()
	} else {
		c.st.setConfig(false, inForce, dg)
	}
	if !c.st.isReady() {
		if err := c.restore(ctx); err != nil {
			return ctrl.Result{}, err
		}
		c.st.open()
		c.pools.touch()
	}
	return ctrl.Result{}, writeConfigState(ctx, c.client, c.reader, c.ns, ConfigState(fs, inForce, pw))
}

// Evaluate is how the controller judges a snapshot: the configuration core itself,
// with nothing added, so that `bgplb lint`, the admission webhook and the controller
// give one verdict for the same objects (testing/corpus proves it).
func Evaluate(res config.Resources, namespace string) (*config.Config, config.Findings) {
	return config.For(res, config.Options{Namespace: namespace})
}

// danglingReferences are the warnings about names that do not exist (yet): MetalLB
// skips them, and so do we, but the object that names them gets an event, since
// nothing else on it says that part of it does nothing.
func danglingReferences(fs config.Findings) config.Findings {
	var out config.Findings
	for _, f := range fs.Warnings() {
		switch f.Code {
		case "adv-pool-missing", "adv-peer-missing", "peer-bfd-profile-missing":
			out = append(out, f)
		}
	}
	return out
}

// warnObjects records a Warning event on each object a finding names, when
// that object exists (a finding may name something missing, like an unknown BFD
// profile a peer refers to).
func (c *configReconciler) warnObjects(res *config.Resources, fs config.Findings, reason string, pw []string) {
	for _, f := range fs {
		name := f.Name
		if i := strings.LastIndex(name, "/"); i >= 0 {
			name = name[i+1:]
		}
		if obj := objectFor(res, f.Kind, name); obj != nil {
			c.events.Event(obj, corev1.EventTypeWarning, reason, config.Redact(f.String(), pw))
		}
	}
}
