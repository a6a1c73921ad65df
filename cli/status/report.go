// Package status assembles `bgplb status`: per node and peer the session the speaker
// reports in BGPPeer status.nodes; per LoadBalancer Service which nodes announce it
// to which peers and, with the speaker's own reason strings, why the others do not;
// and whether the configuration is valid, by the configuration core and by the
// ConfigurationStates the components wrote.
//
// The announce decisions are not read from the cluster: they are recomputed from the
// cluster's objects by the same pure cores the speakers run (snapshot.Evaluate), so
// they hold even for a node whose speaker is down. The package is pure: the time is
// an argument and rendering writes to an io.Writer.
package status

import (
	"strings"
	"time"

	"github.com/bgplb/bgplb/cli/snapshot"
	"github.com/bgplb/bgplb/config"
	"github.com/bgplb/bgplb/speaker/routes"
)

// Report is the whole status. Its JSON field names are stable (documented in
// `bgplb status --help`); lists are never null.
type Report struct {
	Namespace     string        `json:"namespace"`
	Configuration Configuration `json:"configuration"`
	Nodes         []Node        `json:"nodes"`
	Services      []Service     `json:"services"`
}

// Configuration is the validity of the configuration in the cluster.
type Configuration struct {
	// Valid is the configuration core's verdict on the objects as they are now.
	Valid    bool             `json:"valid"`
	Findings []config.Finding `json:"findings"`
	// Components are the ConfigurationStates the controller and speakers wrote.
	Components []Component `json:"components"`
}

// Component is one ConfigurationState: "controller" or "speaker-<node>".
type Component struct {
	Name      string           `json:"name"`
	Result    string           `json:"result"`
	LastError string           `json:"lastError,omitempty"`
	InForce   string           `json:"inForce,omitempty"`
	Findings  []config.Finding `json:"findings"`
}

// Node is one node and its BGP sessions.
type Node struct {
	Name string `json:"name"`
	// Reason is why the node announces nothing at all (nodeNetworkUnavailable,
	// nodeLabeledExcludeBalancers), or notFound for a node that only stale status
	// entries name; "" when it may announce.
	Reason   string    `json:"reason,omitempty"`
	Sessions []Session `json:"sessions"`
}

// Session is one peer as seen from one node.
type Session struct {
	Peer    string `json:"peer"`
	Address string `json:"address"`
	// Runs says the configuration runs this session on this node; Reason is the
	// speaker's peerRuns or peerNodeSelector ("" when the configuration is invalid).
	Runs   bool   `json:"runs"`
	Reason string `json:"reason,omitempty"`
	// State, Since, BFD, AdvertisedPrefixes and LastError are what the node's speaker
	// wrote in the BGPPeer's status.nodes; State is "" when it wrote nothing.
	State              string     `json:"state"`
	Since              *time.Time `json:"since,omitempty"`
	UptimeSeconds      int64      `json:"uptimeSeconds,omitempty"`
	BFD                string     `json:"bfd,omitempty"`
	AdvertisedPrefixes int32      `json:"advertisedPrefixes"`
	// DesiredPrefixes is how many prefixes the configuration says the node should
	// announce to the peer; a difference with AdvertisedPrefixes is work in flight
	// or a speaker that cannot apply its configuration.
	DesiredPrefixes int    `json:"desiredPrefixes"`
	LastError       string `json:"lastError,omitempty"`
}

// Service is one LoadBalancer Service and where it is announced.
type Service struct {
	Name          string   `json:"name"`
	IPs           []string `json:"ips"`
	Pool          string   `json:"pool,omitempty"`
	TrafficPolicy string   `json:"trafficPolicy,omitempty"`
	// Note says why there are no decisions (an invalid configuration).
	Note string `json:"note,omitempty"`
	// Announced and NotAnnounced hold one decision per node, address and peer; a
	// decision with no peer holds for every peer of the node.
	Announced    []Decision `json:"announced"`
	NotAnnounced []Decision `json:"notAnnounced"`
}

// Decision is one announce or not-announce outcome, with the speaker's reason.
type Decision struct {
	Node          string `json:"node"`
	Peer          string `json:"peer,omitempty"`
	IP            string `json:"ip,omitempty"`
	Reason        string `json:"reason"`
	Advertisement string `json:"advertisement,omitempty"`
}

// Options are the inputs that are not in the snapshot.
type Options struct {
	// Now computes session uptimes.
	Now time.Time
}

// Build assembles the report of one snapshot.
func Build(s *snapshot.Snapshot, opts Options) Report {
	ev := s.Evaluate()
	return Report{
		Namespace:     s.Namespace,
		Configuration: configuration(s, ev),
		Nodes:         nodes(s, ev, opts.Now),
		Services:      services(s, ev),
	}
}

func configuration(s *snapshot.Snapshot, ev snapshot.Evaluation) Configuration {
	c := Configuration{Valid: ev.Config != nil, Findings: nonNil(ev.Findings), Components: []Component{}}
	for _, cs := range s.ConfigStates {
		comp := Component{Name: cs.Name, Result: string(cs.Status.Result), LastError: strings.ReplaceAll(cs.Status.ErrorSummary, "\n", "; "),
			InForce: cs.Status.InForce, Findings: []config.Finding{}}
		for _, f := range cs.Status.Findings {
			comp.Findings = append(comp.Findings, config.Finding{Severity: config.Severity(f.Severity), Code: f.Code,
				Kind: f.Kind, Name: f.Name, Field: f.Field, Message: f.Message, Hint: f.Hint})
		}
		c.Components = append(c.Components, comp)
	}
	return c
}

func nonNil(fs config.Findings) []config.Finding {
	if fs == nil {
		return []config.Finding{}
	}
	return fs
}

// NoteConfigInvalid is a Service's note when the configuration has errors: the
// speakers keep announcing from the last valid configuration, which the cluster's
// objects no longer hold, so nothing can be said about the decisions.
const NoteConfigInvalid = "configuration invalid: the speakers keep the last valid configuration, which cannot be read back"

// services gives every Service its decisions from every node, in node order, then
// in the order routes.Desired gives them (address, then peer).
func services(s *snapshot.Snapshot, ev snapshot.Evaluation) []Service {
	out := make([]Service, 0, len(s.Services))
	index := make(map[string]int, len(s.Services))
	for _, svc := range s.Services {
		r := Service{Name: svc.Key, IPs: []string{}, Pool: svc.Pool, TrafficPolicy: string(svc.TrafficPolicy),
			Announced: []Decision{}, NotAnnounced: []Decision{}}
		for _, ip := range svc.IPs {
			r.IPs = append(r.IPs, ip.String())
		}
		if ev.Config == nil {
			r.Note = NoteConfigInvalid
		}
		index[svc.Key] = len(out)
		out = append(out, r)
	}
	if ev.Config == nil {
		return out
	}
	for _, node := range s.NodeNames() {
		res := ev.Nodes[node]
		wide := map[string]bool{} // Services refused on this node whatever the peer
		for _, d := range res.Decisions {
			i, ok := index[d.Service]
			if !ok {
				continue
			}
			dec := decision(node, d)
			if d.Announced {
				out[i].Announced = append(out[i].Announced, dec)
			} else {
				out[i].NotAnnounced = append(out[i].NotAnnounced, dec)
			}
			wide[d.Service] = wide[d.Service] || d.Peer == "" && !d.Announced
		}
		notRun(out, res.PeerDecisions, node, wide)
	}
	return out
}

// notRun completes "why the others do not": routes.Desired decides only for the
// peers that run on the node, so a peer whose nodeSelectors leave the node out is
// named here, for every Service the node would otherwise consider announcing.
func notRun(out []Service, peers []routes.PeerDecision, node string, wide map[string]bool) {
	for _, p := range peers {
		if p.Runs {
			continue
		}
		for i := range out {
			if !wide[out[i].Name] && len(out[i].IPs) > 0 {
				out[i].NotAnnounced = append(out[i].NotAnnounced, Decision{Node: node, Peer: p.Peer, Reason: p.Reason})
			}
		}
	}
}

func decision(node string, d routes.Decision) Decision {
	out := Decision{Node: node, Peer: d.Peer, Reason: d.Reason, Advertisement: d.Advertisement}
	if d.IP.IsValid() {
		out.IP = d.IP.String()
	}
	return out
}
