package lab

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteTable prints a status for a person: nodes, sessions, BFD, VIP routes, Services.
func WriteTable(w io.Writer, st *Status) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	p := func(format string, args ...any) { fmt.Fprintf(tw, format+"\n", args...) }
	p("lab %s (%s backend, topology %s): %s since %s", st.Lab, st.Backend, st.Topology, st.Phase, st.Since.Format(time.TimeOnly))
	if st.Error != "" {
		p("error: %s", st.Error)
	}
	reach := "not reachable"
	if st.ControlPlane.Reachable {
		reach = "reachable"
	}
	p("apiserver %s (%s); kubeconfig %s", st.ControlPlane.URL, reach, st.ControlPlane.Kubeconfig)
	p("")
	p("NODE\tROLE\tKIND\tSITE\tADDRESSES\tPROCESSES")
	for _, n := range st.Nodes {
		kind := n.Kind
		if n.Emulation != "" {
			kind += " (" + n.Emulation + ")"
		}
		p("%s\t%s\t%s\t%s\t%s\t%s", n.Name, n.Role, kind, dash(n.Site), dash(strings.Join(n.Addresses, ", ")), procs(n.Processes))
	}
	if len(st.HostProcesses) > 0 {
		p("(host)\t\t\t\t\t%s", procs(st.HostProcesses))
	}
	p("")
	p("ROUTER\tNEIGHBOR\tADDRESS\tKIND\tSTATE\tUP\tPFX RCVD")
	for _, s := range st.Sessions {
		up, pfx := "-", "-"
		if s.Uptime > 0 {
			up = s.Uptime.Round(time.Second).String()
		}
		if s.PrefixesReceived >= 0 {
			pfx = fmt.Sprint(s.PrefixesReceived)
		}
		p("%s\t%s\t%s\t%s\t%s\t%s\t%s", s.Router, dash(s.Neighbor), s.Address, dash(s.Kind), s.State, up, pfx)
	}
	if len(st.BFD) > 0 {
		p("")
		p("ROUTER\tBFD PEER\tNODE\tSTATE")
		for _, b := range st.BFD {
			p("%s\t%s\t%s\t%s", b.Router, b.Peer, dash(b.PeerNode), b.State)
		}
	}
	p("")
	p("VIP ranges: %s", strings.Join(st.VIPs, ", "))
	if len(st.Routes) == 0 {
		p("no router has a route in the VIP ranges yet (the speakers announce them once Services have IPs)")
	} else {
		p("ROUTER\tPREFIX\tNEXT HOPS\tLOCAL_PREF\tCOMMUNITIES")
		for _, r := range st.Routes {
			var hops []string
			for _, h := range r.NextHops {
				hops = append(hops, h.Address+node(h.Node))
			}
			lp := "-"
			if r.LocalPref != nil {
				lp = fmt.Sprint(*r.LocalPref)
			}
			p("%s\t%s\t%s\t%s\t%s", r.Router, r.Prefix, dash(strings.Join(hops, " ")), lp, dash(strings.Join(append(r.Communities, r.LargeCommunities...), " ")))
		}
	}
	p("")
	p("SERVICE\tIPS\tBACKENDS")
	for _, s := range st.Services {
		ips := strings.Join(s.IPs, ", ")
		if s.Pending {
			ips = "<pending>"
		}
		p("%s/%s\t%s\t%s", s.Namespace, s.Name, ips, dash(s.Backends))
	}
	for _, n := range st.Notes {
		p("note: %s", n)
	}
	for _, pr := range st.Problems {
		p("problem: %s", pr)
	}
	return tw.Flush()
}

func procs(ps []ProcessStatus) string {
	var out []string
	for _, p := range ps {
		s := p.Name + " " + p.State
		if p.State == ProcExited && p.ExitCode != nil {
			s += fmt.Sprintf("(%d)", *p.ExitCode)
		}
		out = append(out, s)
	}
	return dash(strings.Join(out, ", "))
}

func node(n string) string {
	if n == "" {
		return ""
	}
	return "(" + n + ")"
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
