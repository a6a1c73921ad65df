package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/bgplb/bgplb/config"
)

// WriteJSON writes the plan as one indented JSON object.
func (p Plan) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

// WriteText writes the findings, then one line per change, then the verdict.
func (p Plan) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, f := range p.Findings {
		fmt.Fprintln(tw, f.String())
	}
	for _, n := range p.Notes {
		fmt.Fprintln(tw, "note: "+n)
	}
	if p.Valid {
		writeServices(tw, p.Services)
		writeNodes(tw, p.Nodes)
	}
	fmt.Fprintln(tw, p.Summary())
	return tw.Flush()
}

// String is the finding in lint's form, placed when it is about a new document.
func (f Finding) String() string {
	if f.Location == "" {
		return f.Finding.String()
	}
	return f.Location + ": " + f.Finding.String()
}

func writeServices(w io.Writer, svcs []ServiceChange) {
	if len(svcs) == 0 {
		return
	}
	fmt.Fprintln(w, "SERVICE\tCHANGE\tIPS\tPOOL\tANNOUNCED FROM\tWHY")
	for _, s := range svcs {
		fmt.Fprintf(w, "%s\t%s\t%s -> %s\t%s -> %s\t%s\t%s\n", s.Service, s.Change, ipText(s.OldIPs), ipText(s.NewIPs),
			dash(s.OldPool), dash(s.NewPool), announcedText(s), dash(s.Reason))
	}
	fmt.Fprintln(w)
}

func writeNodes(w io.Writer, nodes []NodeChange) {
	if len(nodes) == 0 {
		return
	}
	fmt.Fprintln(w, "NODE\tPEER\tCHANGE\tDETAIL")
	for _, n := range nodes {
		for _, peer := range n.PeersRemoved {
			fmt.Fprintf(w, "%s\t%s\tsession closed\tpeer no longer runs on this node\n", n.Node, peer)
		}
		for _, peer := range n.PeersAdded {
			fmt.Fprintf(w, "%s\t%s\tsession opened\t\n", n.Node, peer)
		}
		for _, s := range n.Sessions {
			what := "session updated in place"
			if s.Reset {
				what = "session RESET"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", n.Node, s.Peer, what, strings.Join(s.Fields, ", "))
		}
		for _, r := range n.Routes {
			for _, pfx := range r.Withdrawn {
				fmt.Fprintf(w, "%s\t%s\tWITHDRAW\t%s\n", n.Node, r.Peer, pfx)
			}
			for _, a := range r.Added {
				fmt.Fprintf(w, "%s\t%s\tannounce\t%s %s\n", n.Node, r.Peer, a.Prefix, a.Attrs)
			}
			for _, c := range r.Changed {
				fmt.Fprintf(w, "%s\t%s\tattributes\t%s %s -> %s\n", n.Node, r.Peer, c.Prefix, c.Old, c.New)
			}
		}
	}
	fmt.Fprintln(w)
}

// String renders attributes as "communities [a b] localPref N".
func (a Attrs) String() string {
	s := "communities [" + strings.Join(a.Communities, " ") + "]"
	if a.LocalPref != 0 {
		s += fmt.Sprintf(" localPref %d", a.LocalPref)
	}
	return s
}

// Summary is the last line: the verdict and what makes it.
func (p Plan) Summary() string {
	errs := 0
	for _, f := range p.Findings {
		if f.Severity == config.SeverityError {
			errs++
		}
	}
	if !p.Valid {
		return fmt.Sprintf("INVALID: %s; the components would refuse the new configuration and keep the current one", plural(errs, "error"))
	}
	lost, withdrawn, resets := 0, 0, 0
	for _, s := range p.Services {
		if s.Disruptive {
			lost++
		}
	}
	for _, n := range p.Nodes {
		resets += len(n.PeersRemoved)
		for _, s := range n.Sessions {
			if s.Reset {
				resets++
			}
		}
		for _, r := range n.Routes {
			withdrawn += len(r.Withdrawn)
		}
	}
	counts := fmt.Sprintf("%s lost or changed, %s withdrawn, %s reset or closed",
		plural(lost, "address set"), plural(withdrawn, "prefix"), plural(resets, "session"))
	if p.Disruptive {
		return "DISRUPTIVE: " + counts
	}
	if len(p.Services)+len(p.Nodes) == 0 {
		return "no change"
	}
	return "not disruptive: " + counts
}

func announcedText(s ServiceChange) string {
	switch {
	case len(s.AnnouncedFrom) > 0:
		return strings.Join(s.AnnouncedFrom, ",")
	case len(s.NotAnnounced) > 0:
		return "none: " + strings.Join(s.NotAnnounced, ",")
	}
	return "-"
}

func ipText(ips []string) string {
	if len(ips) == 0 {
		return "(none)"
	}
	return strings.Join(ips, ",")
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if strings.HasSuffix(word, "x") {
		return fmt.Sprintf("%d %ses", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
