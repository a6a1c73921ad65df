// Package backend is the port every lab backend implements: the embedded network
// namespace backend (netns, the default) and containerlab + kind (clab). The lab
// orchestrator (topologies/lab) drives a backend through this interface only.
package backend

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/bgplb/bgplb/topologies/model"
)

// ErrAlreadyUp: a lab of that name is up on this machine already (perhaps under
// another state directory). Up returns it before creating anything, so the caller
// must not Down: that would remove the running lab.
var ErrAlreadyUp = errors.New("already up")

// Backend brings a resolved lab up and down and acts on its nodes. Implementations
// record what they create in a state file under the lab's directory, so that Down
// removes everything even after a crashed or half-finished Up.
type Backend interface {
	// Name is "netns" or "clab".
	Name() string
	// Capabilities is what this backend can run on this machine, probed at start-up.
	Capabilities(ctx context.Context) (model.Capabilities, error)
	// Up creates the lab's nodes, links and addresses and starts its routers. It is not
	// idempotent: call Down first. On error it leaves state for Down to clean.
	Up(ctx context.Context, lab *model.Lab, opts UpOptions) error
	// Down removes every namespace, link, process and file Up made. It succeeds when
	// nothing is left, also when the lab never existed.
	Down(ctx context.Context, lab string) error
	// Exec runs a command inside a node (its namespace or container).
	Exec(ctx context.Context, lab, node string, cmd []string, io ExecIO) error
	// Inspect reports the nodes, their processes and addresses as they are now.
	Inspect(ctx context.Context, lab string) (*State, error)
	// Fault injects or heals a failure.
	Fault(ctx context.Context, lab string, f Fault) error
	// Start runs a long-lived process inside a node and tracks it like the routers, so
	// Down stops it. Used for speakers, the controller and the lab's service plane.
	Start(ctx context.Context, lab, node string, p Process) error
}

// UpOptions are the settings of one Up.
type UpOptions struct {
	// Dir is the lab's working directory (out/lab/<name>): configs, logs, state.
	Dir string
	// Progress, when set, is told about each long step ("starting frr on r1").
	Progress func(step string)
}

// ExecIO are the streams of an Exec; nil readers/writers are treated as empty/discard.
type ExecIO struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// Process is a long-lived process a backend runs inside a node.
type Process struct {
	// Name identifies the process within the node ("speaker", "serviceplane").
	Name string
	Args []string
	Env  []string
	// Log is the file its output goes to; empty means <Dir>/<node>/<Name>.log.
	Log string
}

// FaultKind names a failure the lab can inject.
type FaultKind string

// The faults.
const (
	FaultLinkDown  FaultKind = "link-down" // Target: link name; Node optional (one end)
	FaultLinkUp    FaultKind = "link-up"   //
	FaultFreeze    FaultKind = "freeze"    // Target: node; SIGSTOP its processes (Process: one only)
	FaultThaw      FaultKind = "thaw"      // SIGCONT
	FaultKill      FaultKind = "kill"      // SIGKILL a process (Process names it; empty: all)
	FaultRestart   FaultKind = "restart"   // stop and start the node's routing daemon or Process
	FaultPartition FaultKind = "partition" // Target: site; every link leaving the site goes down
	FaultHeal      FaultKind = "heal"      // Target: site; undo partition
)

// Fault is one failure to inject or heal.
type Fault struct {
	Kind    FaultKind
	Target  string // node, link or site, per Kind
	Node    string // for link faults, the end to act on (empty: both)
	Process string // for freeze/kill/restart of one process
}

// State is what Inspect reports.
type State struct {
	Lab     string
	Backend string
	Nodes   []NodeState
	Since   time.Time
}

// NodeState is one node as it is now.
type NodeState struct {
	Name string
	Role model.Role
	Kind string
	// RunsAs is the kind whose daemon runs a router node: its own kind, or the one it
	// is emulated by (Emulation then says so: "emulated by frr"). Probes read that kind.
	RunsAs    string
	Emulation string
	Namespace string
	Addresses []string
	Processes []ProcessState
}

// ProcessState is one tracked process.
type ProcessState struct {
	Name    string
	PID     int
	Running bool
	Frozen  bool
	Log     string
}
