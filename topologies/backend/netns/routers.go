package netns

import (
	"bufio"
	"bytes"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/bgplb/bgplb/topologies/model"
	"github.com/bgplb/bgplb/topologies/render"
)

// gobgpAPIPort is where gobgpd listens, on the namespace's own 127.0.0.1.
const gobgpAPIPort = 50051

// daemonOf is what runs a router kind here and the emulation note Inspect shows.
// VyOS and cEOS have no package for this machine, so they run FRR with the intent's
// (NOS-neutral) semantics: same sessions, policy and ECMP, FRR's syntax.
func daemonOf(kind string) (daemon, emulation string) {
	switch kind {
	case "vyos", "ceos":
		return "frr", "emulated by frr"
	default:
		return kind, ""
	}
}

// router is one router's rendered files and how to run it.
type router struct {
	node   model.LabNode
	ns     string
	daemon string
	dir    string // <Dir>/<node>/<daemon>: the rendered files
	files  []render.File
	procs  []procRecord
	// control: FRR instance, BIRD socket path or gobgp API address.
	control string
}

// renderRouter renders one router with the renderer of the daemon that runs it.
func renderRouter(lab *model.Lab, n model.LabNode, reg *render.Registry, dir string) (*router, error) {
	intent, err := lab.RouterIntent(n.Name)
	if err != nil {
		return nil, err
	}
	daemon, _ := daemonOf(n.Kind)
	r := &router{node: n, ns: Namespace(lab.Name, n.Name), daemon: daemon, dir: filepath.Join(dir, n.Name, daemon)}
	if daemon == "bird" {
		// BIRD appends to its log; the process's own output goes to bird.out.
		intent.LogFile = filepath.Join(dir, n.Name, "bird.log")
	}
	if reg == nil {
		return nil, fmt.Errorf("router %s: no renderers given (UpOptions.Renderers)", n.Name)
	}
	r.files, err = reg.Render(daemon, intent)
	if err != nil {
		return nil, fmt.Errorf("router %s (kind %s): %w", n.Name, n.Kind, err)
	}
	return r, nil
}

// file returns the rendered file named base, or the first with the extension ext.
func (r *router) file(base, ext string) (render.File, error) {
	for _, f := range r.files {
		if filepath.Base(f.Path) == base {
			return f, nil
		}
	}
	for _, f := range r.files {
		if ext != "" && filepath.Ext(f.Path) == ext {
			return f, nil
		}
	}
	return render.File{}, fmt.Errorf("router %s: the %s renderer gave no %s", r.node.Name, r.daemon, base)
}

// frrDaemons reads which FRR daemons the rendered `daemons` file enables, in start
// order (zebra first), with their options.
func frrDaemons(daemonsFile []byte) [][]string {
	enabled := map[string]bool{}
	opts := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(daemonsFile))
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if !ok || strings.HasPrefix(k, "#") {
			continue
		}
		if name, isOpt := strings.CutSuffix(k, "_options"); isOpt {
			if uq, err := strconv.Unquote(v); err == nil {
				v = uq
			}
			opts[name] = strings.Fields(v)
			continue
		}
		if v == "yes" && k != "vtysh_enable" {
			enabled[k] = true
		}
	}
	var out [][]string
	for _, d := range []string{"zebra", "mgmtd", "staticd", "bgpd", "bfdd", "ospfd", "ospf6d", "isisd", "pimd", "ldpd", "pbrd", "vrrpd"} {
		if enabled[d] {
			out = append(out, append([]string{d}, opts[d]...))
		}
	}
	return out
}

// plan fills r.procs and r.control: each daemon runs in the foreground (so its PID is
// ours to track) inside the namespace through `ip netns exec`, which execs it in place.
func (r *router) plan(o Options, labDir string) error {
	nodeDir := filepath.Join(labDir, r.node.Name)
	exec := []string{"ip", "netns", "exec", r.ns}
	switch r.daemon {
	case "frr":
		df, err := r.file("daemons", "")
		if err != nil {
			return err
		}
		r.control = r.ns
		for _, d := range frrDaemons(df.Content) {
			args := append(append(exec, filepath.Join(o.FRRLibDir, d[0]), "-N", r.ns, "--log", "stdout"), d[1:]...)
			r.procs = append(r.procs, procRecord{Node: r.node.Name, Name: d[0], Router: true, Args: args, Log: filepath.Join(nodeDir, d[0]+".log")})
		}
		if len(r.procs) == 0 {
			return fmt.Errorf("router %s: the daemons file enables no FRR daemon", r.node.Name)
		}
	case "bird":
		conf, err := r.file("bird.conf", ".conf")
		if err != nil {
			return err
		}
		r.control = filepath.Join(r.dir, "bird.ctl")
		if len(r.control) > 100 {
			return fmt.Errorf("router %s: control socket path %s is too long for a unix socket; use a shorter lab dir", r.node.Name, r.control)
		}
		args := append(exec, "bird", "-f", "-c", filepath.Join(r.dir, conf.Path), "-s", r.control, "-P", filepath.Join(r.dir, "bird.pid"))
		r.procs = append(r.procs, procRecord{Node: r.node.Name, Name: "bird", Router: true, Args: args, Log: filepath.Join(nodeDir, "bird.out")})
	case "gobgp":
		conf, err := r.file("gobgpd.toml", ".toml")
		if err != nil {
			return err
		}
		r.control = "127.0.0.1:" + strconv.Itoa(gobgpAPIPort)
		args := append(exec, "gobgpd", "-f", filepath.Join(r.dir, conf.Path), "-t", "toml", "-p",
			"--api-hosts", r.control, "--pprof-disable")
		r.procs = append(r.procs, procRecord{Node: r.node.Name, Name: "gobgpd", Router: true, Args: args, Log: filepath.Join(nodeDir, "gobgpd.log")})
	default:
		return fmt.Errorf("router %s: kind %s cannot run on the netns backend", r.node.Name, r.node.Kind)
	}
	return nil
}

// readyCmd is a command that succeeds once the router's daemons answer on their sockets.
func readyCmd(n *nodeRecord) Cmd {
	switch n.Daemon {
	case "frr":
		return Cmd{Name: "vtysh", Args: []string{"-N", n.Control, "-c", "show daemons"}}
	case "bird":
		return Cmd{Name: "birdc", Args: []string{"-s", n.Control, "show", "status"}}
	default:
		host, port, _ := strings.Cut(n.Control, ":")
		return Cmd{Name: "ip", Args: []string{"netns", "exec", n.Namespace, "gobgp", "-u", host, "-p", port, "global"}}
	}
}
