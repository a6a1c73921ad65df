// Package kind is the contract between the lab and the router kinds: what one kind must
// say about itself so that topologies, both backends, `bgplb lab status`, the scenarios
// and `bgplb router-config` can use it without knowing it by name.
//
// Each kind lives in one package under topologies/kinds/<name> and is listed once in
// topologies/kinds (the registry). Nothing else in the tree switches on a kind's name:
// a backend asks the registry for the kind and uses what it answers.
package kind

import (
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/bgplb/bgplb/topologies/intent"
)

// Router is everything bgplb knows about one routing NOS.
type Router interface {
	// Name is the kind as topologies spell it ("frr").
	Name() string
	// Aliases are other names the CLI accepts for it ("eos" for "ceos").
	Aliases() []string
	// Render turns NOS-neutral intent into the NOS's own configuration files. Pure: it
	// never touches the file system; an error names what the NOS cannot express.
	Render(r intent.Router) ([]intent.File, error)
	// Local is how the netns backend runs the kind on this machine.
	Local() Local
	// Container is how the containerlab backend runs the kind.
	Container() Container
	// Probe reads the router's sessions, routes and BFD peers through exec. Kinds whose
	// CLI output we cannot parse return an error wrapping ErrNoProbe.
	Probe(exec Exec, now func() time.Time) (Probe, error)
}

// Host is a kind of lab node that is not a router: a Kubernetes node or a client.
type Host interface {
	// Name is the kind and role as topologies spell it ("client", "k8s-node").
	Name() string
	// Container is how the containerlab backend runs it.
	Container() Container
}

// ErrNoProbe: bgplb cannot read this kind's sessions and routes.
var ErrNoProbe = errors.New("no probe for this kind")

// Local is how the netns backend runs a kind: by its own Daemon, or as another kind
// (EmulatedBy: rendered, run and probed as that kind, which must have a Daemon).
// Exactly one of the two is set.
type Local struct {
	Daemon     Daemon
	EmulatedBy string
}

// Daemon runs a kind natively in a network namespace.
type Daemon interface {
	// Needs are the programs it needs (names on PATH or absolute paths).
	Needs(env Env) []string
	// Install says how to get them ("apt-get install frr").
	Install() string
	// Plan renders one router and says how to run it: files, processes, readiness.
	Plan(r LocalRouter) (LocalPlan, error)
	// Ready says how the backend knows the daemons answer (and what to run once they
	// do), from the plan's Control and the names of the processes it started.
	Ready(control string, processes []string) Readiness
	// CLI adds what reaches this router's daemon (recorded as LocalPlan.Control) to a
	// command for the daemon's CLI, unless the caller gave it; other commands pass as they are.
	CLI(control string, argv []string) []string
	// InstanceRoots are machine-wide directories where the daemon keeps one folder per
	// instance, named after the namespace; Down removes a lab's folders there even when
	// its state was lost.
	InstanceRoots(env Env) []string
}

// Env is where the machine keeps a daemon's files; tests point it at a temporary tree.
type Env struct {
	SysConfDir string // /etc
	RunDir     string // /var/run
	LibDir     string // /usr/lib
}

// DefaultEnv is this machine's layout (Debian).
func DefaultEnv() Env { return Env{SysConfDir: "/etc", RunDir: "/var/run", LibDir: "/usr/lib"} }

// LocalRouter is one router the netns backend is about to run.
type LocalRouter struct {
	Node      string
	Namespace string
	// Dir is where the router's rendered files go; NodeDir holds the node's logs.
	Dir, NodeDir string
	Intent       intent.Router
	Env          Env
}

// LocalPlan is how to run one router. The backend records Files, Dirs and Processes
// before it creates them, so Down removes them even after a crash.
type LocalPlan struct {
	// Control is how the CLI and the probe reach the daemon (an FRR instance, a socket).
	Control string
	// Files are written before any process starts (absolute paths).
	Files []LocalFile
	// Dirs are created before the files and removed by Down.
	Dirs []string
	// SharedDirs are created when missing and never removed: other instances of the
	// daemon on the machine use them too (OpenBGPD's chroot).
	SharedDirs []string
	// Owner, when set, is the user that owns Dirs and the Files marked Owned.
	Owner string
	// Processes start in order, each inside the router's namespace.
	Processes []LocalProcess
}

// Readiness is how the backend waits for a router: Probe runs on the host until it exits
// 0 and Check (when set) accepts its output; then each Then command runs once.
type Readiness struct {
	Probe []string
	Check func(out []byte) error
	Then  [][]string
}

// LocalFile is one file of a LocalPlan.
type LocalFile struct {
	Path    string
	Content []byte
	Owned   bool
}

// LocalProcess is one long-lived daemon process; Args run inside the namespace.
type LocalProcess struct {
	Name string
	Args []string
	// Log receives its standard output and error.
	Log string
	// Wait, when set, runs on the host until it exits 0 before the next process starts.
	Wait []string
}

// Container is how containerlab runs a kind.
type Container struct {
	// ClabKind is containerlab's kind ("linux", "arista_ceos", "vyosnetworks_vyos").
	ClabKind string
	// Image is the default image; empty means the topology must name one.
	Image string
	// Binds maps a rendered file to where the NOS reads it inside the container.
	Binds map[string]string
	// Startup is the rendered file handed over as startup-config (for NOSes containerlab
	// configures itself); empty when the configuration is bind-mounted.
	Startup string
	// Linux says the container is plain Linux: the backend gives it its lab addresses
	// and routes with ip, then runs Exec (which starts daemons the image does not start).
	Linux bool
	Exec  []string
}

// HasFlag says whether args already carry one of flags (as "-f x" or "-f=x"); Daemon.CLI
// implementations use it to leave a caller's own choice alone.
func HasFlag(args []string, flags ...string) bool {
	return slices.ContainsFunc(args, func(a string) bool {
		return slices.ContainsFunc(flags, func(f string) bool { return a == f || strings.HasPrefix(a, f+"=") })
	})
}

// BFDDaemon is a Daemon that runs BFD only when further programs are installed.
type BFDDaemon interface {
	BFDNeeds(env Env) []string
}
