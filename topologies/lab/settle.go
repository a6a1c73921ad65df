package lab

import (
	"context"
	"time"
)

// Settle polls the lab's status until every router-router session is Established,
// or until the deadline, and returns the last status read. A lab that has just come
// up needs a few seconds for BGP's open/keepalive exchange; without this wait the
// first status a user sees shows sessions still connecting.
func Settle(ctx context.Context, o StatusOptions, timeout, every time.Duration) (*Status, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		st, err := ReadStatus(ctx, o)
		if err != nil || routersEstablished(st) {
			return st, err
		}
		select {
		case <-ctx.Done():
			return st, nil
		case <-time.After(every):
		}
	}
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
