package status

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/bgplb/bgplb/config"
)

// WriteJSON writes the report as one indented JSON object.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteTable writes the report as three aligned tables: configuration, sessions and
// services.
func (r Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	r.writeConfiguration(tw)
	r.writeSessions(tw)
	r.writeServices(tw)
	return tw.Flush()
}

func (r Report) writeConfiguration(w io.Writer) {
	c := r.Configuration
	verdict := "valid"
	if !c.Valid {
		verdict = "INVALID"
	}
	fmt.Fprintf(w, "CONFIGURATION (%s): %s, %s\n", r.Namespace, verdict, counts(c.Findings))
	writeFindings(w, c.Findings)
	if len(c.Components) == 0 {
		fmt.Fprintln(w, "no ConfigurationState written yet (are the controller and speakers running?)")
	} else {
		fmt.Fprintln(w, "COMPONENT\tRESULT\tFINDINGS\tLAST ERROR")
		for _, comp := range c.Components {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", comp.Name, dash(comp.Result), counts(comp.Findings), dash(comp.LastError))
		}
	}
	fmt.Fprintln(w)
}

func writeFindings(w io.Writer, fs []config.Finding) {
	for _, f := range fs {
		fmt.Fprintf(w, "  %s\n", f.String())
	}
}

func counts(fs []config.Finding) string {
	errs := len(config.Findings(fs).Errors())
	return fmt.Sprintf("%s, %s", plural(errs, "error"), plural(len(fs)-errs, "warning"))
}

func (r Report) writeSessions(w io.Writer) {
	fmt.Fprintln(w, "NODE\tPEER\tADDRESS\tSESSION\tUPTIME\tBFD\tPREFIXES\tLAST ERROR")
	for _, n := range r.Nodes {
		name := n.Name
		if n.Reason != "" {
			name += " (" + n.Reason + ")"
		}
		if len(n.Sessions) == 0 {
			fmt.Fprintf(w, "%s\t-\t-\tno sessions\t\t\t\t\n", name)
		}
		for _, s := range n.Sessions {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%d/%d\t%s\n", name, s.Peer, dash(s.Address), sessionState(s),
				uptime(s), dash(s.BFD), s.AdvertisedPrefixes, s.DesiredPrefixes, dash(s.LastError))
		}
	}
	fmt.Fprintln(w)
}

// sessionState says what a reader needs first: the FSM state, or why there is none.
func sessionState(s Session) string {
	switch {
	case !s.Runs && s.Reason != "" && s.State != "":
		return s.State + " (stale: " + s.Reason + ")"
	case !s.Runs && s.Reason != "":
		return "not run: " + s.Reason
	case s.State == "":
		return "not reported"
	}
	return s.State
}

func uptime(s Session) string {
	if s.UptimeSeconds == 0 {
		return "-"
	}
	return (time.Duration(s.UptimeSeconds) * time.Second).String()
}

func (r Report) writeServices(w io.Writer) {
	fmt.Fprintln(w, "SERVICE\tIPS\tPOOL\tNODE\tPEER\tANNOUNCED")
	for _, s := range r.Services {
		lead := fmt.Sprintf("%s\t%s\t%s", s.Name, dash(strings.Join(s.IPs, ",")), dash(s.Pool))
		rows := serviceRows(s)
		if s.Note != "" {
			rows = append([]string{"-\t-\t" + s.Note}, rows...)
		}
		for i, row := range rows {
			if i == 1 {
				lead = "\t\t"
			}
			fmt.Fprintf(w, "%s\t%s\n", lead, row)
		}
	}
}

// serviceRows renders decisions one row each, merging the rows that differ only by
// address; an address is shown only when the row does not hold for all of them.
func serviceRows(s Service) []string {
	type row struct{ node, peer, text string }
	var order []row
	ips := map[row][]string{}
	add := func(d Decision, text string) {
		k := row{d.Node, d.Peer, text}
		if _, ok := ips[k]; !ok {
			order = append(order, k)
		}
		ips[k] = append(ips[k], d.IP)
	}
	for _, d := range s.Announced {
		add(d, "yes ("+d.Advertisement+")")
	}
	for _, d := range s.NotAnnounced {
		text := "no: " + d.Reason
		if d.Advertisement != "" {
			text += " (" + d.Advertisement + ")"
		}
		add(d, text)
	}
	out := make([]string, 0, len(order))
	for _, k := range order {
		text := k.text
		if got := ips[k]; len(got) < len(s.IPs) && got[0] != "" {
			text += " for " + strings.Join(got, ",")
		}
		out = append(out, fmt.Sprintf("%s\t%s\t%s", k.node, cmp.Or(k.peer, "*"), text))
	}
	return out
}

func dash(s string) string { return cmp.Or(s, "-") }

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
