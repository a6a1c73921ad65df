package intent

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// Action is a parsed CommunityAction.
type Action struct {
	Community Community
	LocalPref uint32
}

// Actions parses the speaker policy's community actions, in order.
func Actions(r Router) ([]Action, error) {
	var errs []error
	out := make([]Action, 0, len(r.SpeakerPolicy.CommunityActions))
	for i, ca := range r.SpeakerPolicy.CommunityActions {
		c, err := ParseCommunity(ca.Community)
		if err != nil {
			errs = append(errs, fmt.Errorf("router %s: SpeakerPolicy.CommunityActions[%d].Community: %w", r.Name, i, err))
			continue
		}
		out = append(out, Action{Community: c, LocalPref: ca.LocalPref})
	}
	return out, errors.Join(errs...)
}

// Accept splits the speaker policy's accepted ranges by family.
func Accept(p Policy) (v4, v6 []PrefixRange) {
	for _, a := range p.Accept {
		if a.Prefix.Addr().Is4() {
			v4 = append(v4, a)
		} else {
			v6 = append(v6, a)
		}
	}
	return v4, v6
}

// HasRole reports whether any neighbor has role.
func HasRole(r Router, role Role) bool {
	for _, n := range r.Neighbors {
		if n.Role == role {
			return true
		}
	}
	return false
}

// Check returns every problem with r that no NOS could express, all at once, each
// naming the field and how to fix it. Renderers add their own NOS-specific checks.
func Check(r Router) error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if r.Name == "" || strings.ContainsAny(r.Name, " \t\r\n\"'!#") {
		bad("router %q: Name: must be non-empty without spaces, quotes, '!' or '#'", r.Name)
	}
	if r.ASN == 0 {
		bad("router %s: ASN: 0 is reserved; set the router's AS number", r.Name)
	}
	if !r.RouterID.Is4() {
		bad("router %s: RouterID %v: must be an IPv4 address (BGP identifiers are 32 bits)", r.Name, r.RouterID)
	}
	if r.MaximumPaths < 0 || r.MaximumPaths > 64 {
		bad("router %s: MaximumPaths %d: must be 0..64", r.Name, r.MaximumPaths)
	}
	for i, p := range r.Networks {
		if !p.IsValid() || p != p.Masked() {
			bad("router %s: Networks[%d] %v: must be a valid prefix with no host bits (%v)", r.Name, i, p, p.Masked())
		}
	}
	seen := map[netip.Addr]int{}
	for i, n := range r.Neighbors {
		errs = append(errs, checkNeighbor(r, i, n)...)
		if j, dup := seen[n.Address]; dup {
			bad("%s: Address: also Neighbors[%d]; each neighbor address must be unique", Who(r, i), j)
		}
		seen[n.Address] = i
	}
	errs = append(errs, checkPolicy(r)...)
	return errors.Join(errs...)
}

func checkNeighbor(r Router, i int, n Neighbor) []error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{Who(r, i)}, args...)...))
	}
	if !n.Address.IsValid() || n.Address.Zone() != "" {
		bad("Address: must be a valid IP address without zone")
	}
	if n.ASN == 0 {
		bad("ASN: 0 is reserved; set the neighbor's AS number")
	}
	if n.Role != RoleSpeaker && n.Role != RoleRouter {
		bad("Role %q: must be %q or %q", n.Role, RoleSpeaker, RoleRouter)
	}
	if strings.ContainsAny(n.Password, " \t\r\n\"'\\") || len(n.Password) > 80 {
		bad("Password: at most 80 characters without spaces, quotes or backslashes (every NOS must read it back verbatim)")
	}
	if strings.ContainsAny(n.Description, "\r\n\"'\\") || len(n.Description) > 80 {
		bad("Description: at most 80 characters on one line without quotes or backslashes")
	}
	if _, _, _, err := Timers(n); err != nil {
		bad("%v", err)
	}
	if n.RouteReflectorClient && n.ASN != r.ASN {
		bad("RouteReflectorClient: only iBGP neighbors (ASN %d) can be route-reflector clients; this one has ASN %d", r.ASN, n.ASN)
	}
	if n.EBGPMultihop > 0 && n.ASN == r.ASN {
		bad("EBGPMultihop: set on an iBGP neighbor; iBGP is multihop already, leave it 0")
	}
	if b := n.BFD; b != nil {
		for _, iv := range []struct {
			field string
			v     uint32
		}{{"ReceiveInterval", b.ReceiveInterval}, {"TransmitInterval", b.TransmitInterval}} {
			if iv.v != 0 && (iv.v < 10 || iv.v > 60000) {
				bad("BFD.%s %d: must be 10..60000 ms (or 0 for the default)", iv.field, iv.v)
			}
		}
		if b.DetectMultiplier > 0 && b.DetectMultiplier < 2 {
			bad("BFD.DetectMultiplier %d: must be 2..255 (or 0 for the default)", b.DetectMultiplier)
		}
		if strings.ContainsAny(b.Profile, " \t\r\n\"'") {
			bad("BFD.Profile %q: must be one word", b.Profile)
		}
	}
	if _, _, err := SourceAddr(r, n); err != nil {
		bad("%v", err)
	}
	return errs
}

func checkPolicy(r Router) []error {
	var errs []error
	p := r.SpeakerPolicy
	if HasRole(r, RoleSpeaker) && len(p.Accept) == 0 {
		errs = append(errs, fmt.Errorf("router %s: SpeakerPolicy.Accept: empty, so every route from the speakers would be rejected; list the service (VIP) ranges", r.Name))
	}
	for i, a := range p.Accept {
		if !a.Prefix.IsValid() || a.Prefix != a.Prefix.Masked() {
			errs = append(errs, fmt.Errorf("router %s: SpeakerPolicy.Accept[%d].Prefix %v: must be a valid prefix with no host bits", r.Name, i, a.Prefix))
			continue
		}
		if a.Le != 0 && (a.Le < a.Prefix.Bits() || a.Le > a.Prefix.Addr().BitLen()) {
			errs = append(errs, fmt.Errorf("router %s: SpeakerPolicy.Accept[%d].Le %d: must be 0 or %d..%d", r.Name, i, a.Le, a.Prefix.Bits(), a.Prefix.Addr().BitLen()))
		}
	}
	if _, err := Actions(r); err != nil {
		errs = append(errs, err)
	}
	return errs
}
