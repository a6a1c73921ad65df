// Package vyos renders VyOS 1.4 (sagitta) configuration commands from router intent.
//
// The output is a script of `set` commands in configuration mode, one per line, that
// `vbash` loads between `configure` and `commit`. It is built line by line rather than
// with a template: every line is a full path, so a template would only add noise.
package vyos

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/bgplb/bgplb/topologies/intent"
)

// script collects configuration lines.
type script struct{ b bytes.Buffer }

func (s *script) set(format string, args ...any) {
	s.b.WriteString("set ")
	fmt.Fprintf(&s.b, format, args...)
	s.b.WriteByte('\n')
}

func (s *script) comment(text string) { fmt.Fprintf(&s.b, "\n# %s\n", text) }

// Render returns config.commands: the router's configuration as VyOS set commands.
func (Kind) Render(r intent.Router) ([]intent.File, error) {
	if err := check(r); err != nil {
		return nil, fmt.Errorf("vyos: %w", err)
	}
	var s script
	s.b.WriteString("# VyOS 1.4 configuration for router " + r.Name + ", rendered by bgplb.\n")
	s.b.WriteString("# Load with: configure; source this file (or paste it); commit; save\n")
	s.comment("System and interfaces")
	s.set("system host-name '%s'", r.Name)
	for _, itf := range r.Interfaces {
		if itf.Description != "" {
			s.set("interfaces ethernet %s description '%s'", itf.Name, itf.Description)
		}
		for _, p := range itf.Addresses {
			s.set("interfaces ethernet %s address '%s'", itf.Name, p)
		}
	}
	for _, p := range r.Loopbacks {
		s.set("interfaces loopback lo address '%s'", p)
	}
	bgp(&s, r)
	profiles, _, _ := intent.BFDProfiles(r) // check has validated them
	if len(profiles) > 0 {
		s.comment("BFD profiles")
	}
	for _, p := range profiles {
		pre := "protocols bfd profile " + p.Name
		if p.DetectMultiplier != 0 {
			s.set("%s interval multiplier '%d'", pre, p.DetectMultiplier)
		}
		if p.ReceiveInterval != 0 {
			s.set("%s interval receive '%d'", pre, p.ReceiveInterval)
		}
		if p.TransmitInterval != 0 {
			s.set("%s interval transmit '%d'", pre, p.TransmitInterval)
		}
		if p.Passive {
			s.set("%s passive", pre)
		}
		if p.MinimumTTL != 0 {
			s.set("%s minimum-ttl '%d'", pre, p.MinimumTTL)
		}
	}
	if err := policy(&s, r); err != nil {
		return nil, fmt.Errorf("vyos: %w", err)
	}
	return []intent.File{{Path: "config.commands", Content: s.b.Bytes()}}, nil
}

// check adds VyOS's own limits to the shared checks.
func check(r intent.Router) error {
	errs := []error{intent.Check(r)}
	if _, _, err := intent.BFDProfiles(r); err != nil {
		errs = append(errs, err)
	}
	for i, itf := range r.Interfaces {
		if !strings.HasPrefix(itf.Name, "eth") {
			errs = append(errs, fmt.Errorf("router %s: Interfaces[%d].Name %q: VyOS ethernet interfaces are named ethN", r.Name, i, itf.Name))
		}
		if strings.ContainsAny(itf.Description, "'\n") {
			errs = append(errs, fmt.Errorf("router %s: Interfaces[%d].Description: must be one line without single quotes", r.Name, i))
		}
	}
	for i, n := range r.Neighbors {
		if n.TTLSecurityHops > 0 && n.EBGPMultihop > 0 {
			errs = append(errs, fmt.Errorf("%s: TTLSecurityHops with EBGPMultihop: VyOS allows only one of them per neighbor; drop one", intent.Who(r, i)))
		}
	}
	return errors.Join(errs...)
}

func bgp(s *script, r intent.Router) {
	s.comment("BGP")
	s.set("protocols bgp system-as '%d'", r.ASN)
	s.set("protocols bgp parameters router-id '%s'", r.RouterID)
	s.set("protocols bgp parameters log-neighbor-changes")
	if r.MaximumPaths > 1 {
		// Paths via different speaker nodes carry different AS paths of equal length.
		s.set("protocols bgp parameters bestpath as-path multipath-relax")
	}
	fams := map[string]bool{}
	for _, p := range r.Networks {
		f := family(p.Addr().Is4())
		fams[f] = true
		s.set("protocols bgp address-family %s network '%s'", f, p)
	}
	_, bfdOf, _ := intent.BFDProfiles(r)
	for i, n := range r.Neighbors {
		pre := fmt.Sprintf("protocols bgp neighbor %s", n.Address)
		s.set("%s remote-as '%d'", pre, n.ASN)
		if n.Description != "" {
			s.set("%s description '%s'", pre, n.Description)
		}
		if n.Password != "" {
			s.set("%s password '%s'", pre, n.Password)
		}
		if keep, hold, ok, _ := intent.Timers(n); ok {
			s.set("%s timers holdtime '%d'", pre, hold)
			s.set("%s timers keepalive '%d'", pre, keep)
		}
		if n.Passive {
			s.set("%s passive", pre)
		}
		if n.UpdateSource != "" {
			s.set("%s update-source '%s'", pre, n.UpdateSource)
		}
		if n.EBGPMultihop > 0 {
			s.set("%s ebgp-multihop '%d'", pre, n.EBGPMultihop)
		}
		if n.TTLSecurityHops > 0 {
			s.set("%s ttl-security hops '%d'", pre, n.TTLSecurityHops)
		}
		if p, ok := bfdOf[i]; ok {
			s.set("%s bfd profile '%s'", pre, p)
		}
		v4, v6 := intent.Families(n)
		for _, f := range []struct {
			on   bool
			name string
		}{{v4, "ipv4-unicast"}, {v6, "ipv6-unicast"}} {
			if !f.on {
				continue
			}
			fams[f.name] = true
			af := pre + " address-family " + f.name
			s.set("%s", af)
			if n.NextHopSelf {
				s.set("%s nexthop-self", af)
			}
			if n.RouteReflectorClient {
				s.set("%s route-reflector-client", af)
			}
			if n.MaximumPrefix > 0 {
				s.set("%s maximum-prefix '%d'", af, n.MaximumPrefix)
			}
			in, out := "ROUTER-ALL", "ROUTER-ALL"
			if n.Role == intent.RoleSpeaker {
				in, out = "SPEAKER-IN-"+suffix(f.name), "SPEAKER-OUT"
			}
			s.set("%s route-map import '%s'", af, in)
			s.set("%s route-map export '%s'", af, out)
		}
	}
	if r.MaximumPaths > 1 {
		for _, f := range []string{"ipv4-unicast", "ipv6-unicast"} {
			if fams[f] {
				s.set("protocols bgp address-family %s maximum-paths ebgp '%d'", f, r.MaximumPaths)
				s.set("protocols bgp address-family %s maximum-paths ibgp '%d'", f, r.MaximumPaths)
			}
		}
	}
}

func family(v4 bool) string {
	if v4 {
		return "ipv4-unicast"
	}
	return "ipv6-unicast"
}

func suffix(fam string) string {
	if fam == "ipv4-unicast" {
		return "V4"
	}
	return "V6"
}
