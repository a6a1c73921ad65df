package lab

import (
	"context"
	"net/netip"
	"time"
)

// Settle polls the lab's status until it shows the lab working — every
// router-router session Established, every session toward a node whose speaker
// runs Established, and every Service IP routed by every router — or until the
// deadline, and returns the last status read. Without this wait the first status
// a user sees shows sessions still connecting.
func Settle(ctx context.Context, o StatusOptions, timeout, every time.Duration) (*Status, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		st, err := ReadStatus(ctx, o)
		if err != nil || settled(st) {
			return st, err
		}
		select {
		case <-ctx.Done():
			return st, nil
		case <-time.After(every):
		}
	}
}

func settled(st *Status) bool {
	return routersEstablished(st) && speakersEstablished(st) && servicesRouted(st)
}

// routersEstablished reports whether every session between two routers is up.
func routersEstablished(st *Status) bool {
	for _, s := range st.Sessions {
		if (s.Kind == "ibgp" || s.Kind == "ebgp") && s.State != "Established" {
			return false
		}
	}
	return true
}

// speakersEstablished: every session toward a node whose speaker is running is
// up (nodes without a speaker binary are not waited for).
func speakersEstablished(st *Status) bool {
	running := map[string]bool{}
	for _, n := range st.Nodes {
		for _, p := range n.Processes {
			if p.Name == "speaker" && p.State == ProcRunning {
				running[n.Name] = true
			}
		}
	}
	for _, s := range st.Sessions {
		if s.Kind == "speaker" && running[s.Neighbor] && s.State != "Established" {
			return false
		}
	}
	return true
}

// servicesRouted: every router holds a route covering every Service IP.
func servicesRouted(st *Status) bool {
	for _, svc := range st.Services {
		for _, ip := range svc.IPs {
			a, err := netip.ParseAddr(ip)
			if err != nil {
				continue
			}
			for _, n := range st.Nodes {
				if n.Role == "router" && !routes(st, n.Name, a) {
					return false
				}
			}
		}
	}
	return true
}

func routes(st *Status, router string, a netip.Addr) bool {
	for _, r := range st.Routes {
		if p, err := netip.ParsePrefix(r.Prefix); err == nil && r.Router == router && p.Contains(a) {
			return true
		}
	}
	return false
}
