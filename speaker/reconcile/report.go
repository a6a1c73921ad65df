package reconcile

import (
	"fmt"
	"strings"
	"time"

	"github.com/bgplb/bgplb/config"
	"github.com/bgplb/bgplb/speaker/routes"
)

// Report is the outcome of one reconcile, handed to Options.Observer for status,
// events and metrics. It never holds a password in clear text (config.Password
// redacts itself in every printed form).
type Report struct {
	// At is when the reconcile finished.
	At time.Time
	// Seq counts reconciles that got a snapshot, from 1.
	Seq uint64
	// Findings of the latest configuration, errors and warnings.
	Findings config.Findings
	// ConfigValid is false when the latest configuration has errors; Config is then
	// the last valid one still announced (nil when there never was one).
	ConfigValid bool
	Config      *config.Config
	// Decisions and PeerDecisions are routes.Desired's explanations.
	Decisions     []routes.Decision
	PeerDecisions []routes.PeerDecision
	// Peers is one entry per peer this node runs (desired), sorted by name.
	Peers []PeerReport
	// Announced holds the Services (namespace/name) announced to at least one peer
	// whose routes were applied; NewlyAnnounced those that were not announced after
	// the previous reconcile (MetalLB's nodeAssigned event).
	Announced      map[string]bool
	NewlyAnnounced []string
	// Calls counts the router calls this reconcile made (0 when nothing changed).
	Calls int
	// Err joins what failed (apply errors, unsupported peers); the loop retries.
	Err error

	// secrets are every password of the snapshot, for Redact. A pointer: fmt prints
	// nested pointers as addresses, and cannot call Format on unexported fields.
	secrets *secretList
}

// Redact replaces every password the snapshot holds (BGPPeer spec.password values,
// Secrets' password keys) with "[redacted]". Writers of status, events and metrics
// pass free text through it (finding messages quote spec.password when they are
// about it).
func (r Report) Redact(s string) string {
	if r.secrets == nil {
		return s
	}
	for _, p := range *r.secrets {
		s = strings.ReplaceAll(s, p, "[redacted]")
	}
	return s
}

// secretList holds clear-text passwords; every fmt verb prints "[redacted]", so a
// Report printed with %+v leaks nothing.
type secretList []string

// Format implements fmt.Formatter.
func (secretList) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte("[redacted]")) }

// secretsOf lists the passwords in a snapshot, longest first (so that a password
// containing another is replaced whole).
func secretsOf(res config.Resources) *secretList {
	out := secretList(config.Passwords(res))
	return &out
}

// PeerReport is one running peer after the reconcile.
type PeerReport struct {
	Name string
	// Applied is how many prefixes the router has been given for the peer; Pending
	// how many desired changes it has not applied yet (after a failed call).
	Applied, Pending int
	// Updates counts the route changes (announce, replace, withdraw) this reconcile
	// applied to the peer.
	Updates int
	// GracefulRestart is the peer's enableGracefulRestart.
	GracefulRestart bool
	// Error is why the peer's last apply failed, or why it cannot run; "" when fine.
	Error string
}

// Applied reports whether the reconcile left the router with the desired state.
func (r Report) Applied() bool { return r.Err == nil }
