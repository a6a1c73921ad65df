package plan

import (
	"net/netip"
	"slices"

	"github.com/bgplb/bgplb/cli/snapshot"
	"github.com/bgplb/bgplb/config"
	"github.com/bgplb/bgplb/controller/allocator"
)

// The kinds of ServiceChange.
const (
	ChangeLost    = "lost"    // held addresses, would hold none
	ChangeChanged = "changed" // would hold other addresses
	ChangeGained  = "gained"  // pending, would get addresses
	ChangePool    = "pool"    // same addresses, now in a pool of another name
)

// ServiceChange is one Service whose addresses or pool would change.
type ServiceChange struct {
	Service    string   `json:"service"`
	Change     string   `json:"change"`
	OldIPs     []string `json:"oldIPs"`
	NewIPs     []string `json:"newIPs"`
	OldPool    string   `json:"oldPool,omitempty"`
	NewPool    string   `json:"newPool,omitempty"`
	Reason     string   `json:"reason,omitempty"`
	Disruptive bool     `json:"disruptive"`
	// AnnouncedFrom are the nodes that would announce the new addresses; when none
	// would, NotAnnounced holds the speakers' reasons (an address nobody announces
	// is not reachable, however gently it was handed out).
	AnnouncedFrom []string `json:"announcedFrom"`
	NotAnnounced  []string `json:"notAnnounced"`
}

// allocate replays what the controller does on a configuration change: every
// Service takes back the addresses in its status under the current pools (its
// start-up pass), the new pools are installed (SetPools releases what no longer
// fits), then every Service is ensured in key order. It returns the changes and
// next's Services with the addresses and pools they would end up with, which is
// what the speakers would then announce. Which free address a Service gets is the
// allocator's first choice in key order; the controller may hand out another when
// Services are reconciled in another order.
func allocate(cur, next snapshot.Snapshot, curCfg, nextCfg *config.Config) ([]ServiceChange, []snapshot.Service) {
	a := allocator.New()
	a.SetPools(restorePools(curCfg, nextCfg))
	for _, s := range cur.Services {
		if len(s.IPs) > 0 && s.RequestErr == "" {
			_, _ = a.Assign(s.Request, s.IPs) // one that does not fit is allocated again below
		}
	}
	released := map[string]error{}
	for _, c := range a.SetPools(nextCfg) {
		released[c.Key] = c.Reason
	}
	old := map[string]snapshot.Service{}
	for _, s := range cur.Services {
		old[s.Key] = s
	}
	changes := []ServiceChange{}
	out := slices.Clone(next.Services)
	for i := range out {
		s := &out[i]
		if s.RequestErr != "" {
			continue // the controller refuses the Service and leaves its status alone
		}
		before, ok := old[s.Key]
		if !ok {
			before = *s
		}
		res, err := a.Ensure(s.Request)
		why := firstErr(released[s.Key], res.ClearReason, err)
		if c, ok := classify(before, res.Allocation, err == nil, why); ok {
			changes = append(changes, c)
		}
		s.IPs, s.Pool = res.IPs, res.Pool
	}
	return changes, out
}

// classify compares what a Service holds with what it would hold.
func classify(before snapshot.Service, after allocator.Allocation, ok bool, why error) (ServiceChange, bool) {
	c := ServiceChange{Service: before.Key, OldIPs: texts(before.IPs), NewIPs: texts(after.IPs), OldPool: before.Pool, NewPool: after.Pool,
		AnnouncedFrom: []string{}, NotAnnounced: []string{}}
	if why != nil {
		c.Reason = why.Error()
	}
	had, has := len(before.IPs) > 0, ok && len(after.IPs) > 0
	switch {
	case had && !has:
		c.Change, c.Disruptive, c.NewIPs, c.NewPool = ChangeLost, true, []string{}, ""
	case had && !sameIPs(before.IPs, after.IPs):
		c.Change, c.Disruptive = ChangeChanged, true
	case !had && has:
		c.Change, c.Reason = ChangeGained, ""
	case had && before.Pool != after.Pool:
		c.Change, c.Reason = ChangePool, ""
	default:
		return ServiceChange{}, false
	}
	return c, true
}

func sameIPs(a, b []netip.Addr) bool {
	return len(a) == len(b) && !slices.ContainsFunc(a, func(x netip.Addr) bool { return !slices.Contains(b, x) })
}

func texts(ips []netip.Addr) []string {
	out := make([]string, len(ips))
	for i, ip := range ips {
		out[i] = ip.String()
	}
	return out
}

// restorePools is the configuration whose pools Services take their addresses back
// under: the current one, or the new one when the current is invalid (the one in
// force cannot be read back).
func restorePools(cur, next *config.Config) *config.Config {
	if cur != nil {
		return cur
	}
	return next
}

// firstErr is the first non-nil error: the most specific reason a Service lost its
// addresses (released by SetPools, cleared by Ensure, or refused outright).
func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// announcements fills in, for the changes that leave a Service with addresses,
// which nodes would announce them or, when none would, why not.
func announcements(changes []ServiceChange, ev snapshot.Evaluation, nodes []string) {
	for i := range changes {
		c := &changes[i]
		if len(c.NewIPs) == 0 {
			continue
		}
		var why []string
		for _, n := range nodes {
			for _, d := range ev.Nodes[n].Decisions {
				switch {
				case d.Service != c.Service:
				case d.Announced:
					if !slices.Contains(c.AnnouncedFrom, n) {
						c.AnnouncedFrom = append(c.AnnouncedFrom, n)
					}
				case !slices.Contains(why, d.Reason):
					why = append(why, d.Reason)
				}
			}
		}
		if len(c.AnnouncedFrom) == 0 && why != nil {
			c.NotAnnounced = why
		}
	}
}
