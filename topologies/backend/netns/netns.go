// Package netns is the embedded lab backend: every node is a Linux network namespace,
// links are veth pairs and host-side bridges, routers are the real daemons of their
// kinds (FRR, BIRD, gobgpd, OpenBGPD), run as each kind's Daemon says. It needs root
// and no Docker.
//
// Names: namespace (and a daemon's instance) "<tag>-<node>", bridges and host-side veths as the
// model names them (they carry the lab's tag), so two labs coexist and Down finds every
// leftover of a lab by its tag even without the state file.
package netns

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/bgplb/bgplb/topologies/backend"
	"github.com/bgplb/bgplb/topologies/kind"
	"github.com/bgplb/bgplb/topologies/kinds"
	"github.com/bgplb/bgplb/topologies/model"
)

// Options configure a Backend. Zero values take the defaults shown.
type Options struct {
	// Root is where labs live when Up was not given a Dir: <Root>/<lab>. Default out/lab.
	Root   string
	Runner Runner       // default OSRunner
	Logger *slog.Logger // default slog.Default()
	Now    func() time.Time
	// Kinds is the kind registry: how each router kind runs here. Default kinds.Registry().
	Kinds *kind.Registry
	// Env is where daemons keep their files (/etc, /var/run, /usr/lib); tests point it
	// at a temporary tree. Default kind.DefaultEnv().
	Env kind.Env
	// DaemonTimeout bounds how long a router may take to answer on its socket. Default 15 s.
	DaemonTimeout time.Duration
	// Sockets probes TCP MD5 and GTSM support. Default KernelSockets.
	Sockets Sockets
	// Poll is the interval between readiness checks. Default 50 ms.
	Poll time.Duration
}

// Backend is the netns backend. It is safe for concurrent use.
type Backend struct {
	o    Options
	mu   sync.Mutex
	dirs map[string]string // lab -> dir, for labs brought up with an explicit Dir

	probeOnce sync.Once
	probe     Probe
	probeErr  error
}

var _ backend.Backend = (*Backend)(nil)

// New returns a netns backend.
func New(o Options) *Backend {
	if o.Root == "" {
		o.Root = filepath.Join("out", "lab")
	}
	if o.Runner == nil {
		o.Runner = OSRunner{}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Kinds == nil {
		o.Kinds = kinds.Registry()
	}
	if o.Env == (kind.Env{}) {
		o.Env = kind.DefaultEnv()
	}
	if o.DaemonTimeout == 0 {
		o.DaemonTimeout = 15 * time.Second
	}
	if o.Poll == 0 {
		o.Poll = 50 * time.Millisecond
	}
	return &Backend{o: o, dirs: map[string]string{}}
}

// Name is "netns".
func (b *Backend) Name() string { return "netns" }

// Namespace is the namespace (and FRR instance) of a node of a lab.
func Namespace(lab, node string) string { return model.Tag(lab) + "-" + node }

// dir is the lab's working directory.
func (b *Backend) dir(lab string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if d, ok := b.dirs[lab]; ok {
		return d
	}
	return filepath.Join(b.o.Root, lab)
}

// load returns the lab's state, or an error saying the lab is not up.
func (b *Backend) load(lab string) (*state, error) {
	s, err := loadState(b.dir(lab))
	if err != nil {
		return nil, err
	}
	if s == nil {
		return nil, fmt.Errorf("lab %s is not up on the netns backend (no %s in %s)", lab, stateFile, b.dir(lab))
	}
	return s, nil
}

// run runs one command, capturing its output.
func (b *Backend) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	return b.o.Runner.Run(ctx, Cmd{Name: name, Args: args})
}

func (b *Backend) progress(opts backend.UpOptions, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	b.o.Logger.Debug(msg)
	if opts.Progress != nil {
		opts.Progress(msg)
	}
}
