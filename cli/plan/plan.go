// Package plan says what applying a new configuration would change before it is
// applied (`bgplb plan`): the findings of the resulting configuration; the Services
// that would lose, change or gain addresses, by re-running the allocator over their
// current addresses with the new pools as the controller does on a configuration
// change; the prefixes each node would withdraw from or announce to each peer, and
// their attribute changes, from routes.Desired old and new; and the sessions that
// would reset or be opened or closed, by routes.Diff's classification.
//
// The package is pure: it takes two snapshots (cli/snapshot) and returns data.
package plan

import (
	"github.com/bgplb/bgplb/cli/snapshot"
	"github.com/bgplb/bgplb/config"
)

// Input is the configuration in force and the one that would result.
type Input struct {
	// Current is the cluster (or files) as they are; Next the same with the new
	// documents applied.
	Current, Next snapshot.Snapshot
	// Extra are findings about the new documents that the configuration core cannot
	// see (unknown fields, undecodable objects), already placed.
	Extra []Finding
	// Origins places the new documents: "Kind/name" -> "file:line".
	Origins map[string]string
}

// Plan is what would change. JSON field names are stable (see `bgplb plan --help`);
// lists are never null.
type Plan struct {
	// Valid is false when the new configuration has errors: the components would
	// refuse it and keep the current one, so nothing else is computed.
	Valid bool `json:"valid"`
	// Disruptive is true when an address is lost or changed, a prefix withdrawn, or a
	// session reset or closed.
	Disruptive bool `json:"disruptive"`
	// Notes say what the plan cannot see (an invalid current configuration, no
	// Nodes to compute announcements on).
	Notes    []string        `json:"notes"`
	Findings []Finding       `json:"findings"`
	Services []ServiceChange `json:"services"`
	Nodes    []NodeChange    `json:"nodes"`
}

// Finding is a finding of the resulting configuration, with the place of the new
// document it is about when it is one.
type Finding struct {
	config.Finding
	Location string `json:"location,omitempty"`
}

// The plan's notes.
const (
	NoteCurrentInvalid = "the current configuration is invalid: the components run their last valid one, which cannot be read back; the plan compares with an empty configuration"
	NoteNoNodes        = "no Nodes: announcements and sessions cannot be compared (add the Nodes to --from, or plan against the cluster)"
)

// Compute makes the plan.
func Compute(in Input) Plan {
	p := Plan{Valid: true, Notes: []string{}, Findings: []Finding{}, Services: []ServiceChange{}, Nodes: []NodeChange{}}
	p.Findings = append(p.Findings, in.Extra...)
	curCfg, _ := in.Current.Config()
	nextCfg, fs := in.Next.Config()
	for _, f := range fs {
		p.Findings = append(p.Findings, Finding{Finding: f, Location: in.Origins[f.Kind+"/"+f.Name]})
	}
	for _, f := range p.Findings {
		if f.Severity == config.SeverityError {
			p.Valid = false
		}
	}
	if !p.Valid {
		return p
	}
	if curCfg == nil {
		p.Notes = append(p.Notes, NoteCurrentInvalid)
	}
	next := in.Next
	p.Services, next.Services = allocate(in.Current, in.Next, curCfg, nextCfg)
	nodes := unionNodes(&in.Current, &next)
	if len(nodes) == 0 {
		p.Notes = append(p.Notes, NoteNoNodes)
	}
	nextEv := next.EvaluateWith(nextCfg, fs)
	p.Nodes = nodeChanges(in.Current.EvaluateWith(curCfg, nil), nextEv, nodes)
	announcements(p.Services, nextEv, next.NodeNames())
	p.Disruptive = disruptive(p)
	return p
}

func disruptive(p Plan) bool {
	for _, s := range p.Services {
		if s.Disruptive {
			return true
		}
	}
	for _, n := range p.Nodes {
		if n.Disruptive() {
			return true
		}
	}
	return false
}
