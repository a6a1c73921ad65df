package frr

import (
	"bufio"
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/bgplb/bgplb/topologies/intent"
	"github.com/bgplb/bgplb/topologies/kind"
)

// daemon runs one FRR instance per namespace with FRR's pathspace option (-N): each
// instance reads <sysconf>/frr/<inst>/ and keeps its sockets in <run>/frr/<inst>/, both
// owned by the frr user its daemons switch to. The instance is named after the namespace.
type daemon struct{}

func libDir(env kind.Env) string { return filepath.Join(env.LibDir, "frr") }

// Needs: zebra, bgpd and staticd, and vtysh to configure and read them.
func (daemon) Needs(env kind.Env) []string {
	lib := libDir(env)
	return []string{filepath.Join(lib, "zebra"), filepath.Join(lib, "bgpd"), filepath.Join(lib, "staticd"), "vtysh"}
}

// BFDNeeds: FRR runs BFD in bfdd.
func (daemon) BFDNeeds(env kind.Env) []string { return []string{filepath.Join(libDir(env), "bfdd")} }

func (daemon) Install() string { return "apt-get install frr" }

func (daemon) InstanceRoots(env kind.Env) []string {
	return []string{filepath.Join(env.SysConfDir, "frr"), filepath.Join(env.RunDir, "frr")}
}

// Plan renders frr.conf and daemons into r.Dir and the instance's pathspace dir, and
// starts each enabled daemon in the foreground (so its PID is the backend's to track),
// zebra first: FRR 8.4 daemons that find no zebra retry only after 10 s, and bgpd does
// not re-send a BFD registration that failed meanwhile.
func (d daemon) Plan(r kind.LocalRouter) (kind.LocalPlan, error) {
	files, err := Kind{}.Render(r.Intent)
	if err != nil {
		return kind.LocalPlan{}, err
	}
	files = append(files, intent.File{Path: "vtysh.conf", Content: []byte("service integrated-vtysh-config\n")})
	inst := r.Namespace
	conf := filepath.Join(r.Env.SysConfDir, "frr", inst)
	p := kind.LocalPlan{Control: inst, Owner: "frr", Dirs: []string{conf, filepath.Join(r.Env.RunDir, "frr", inst)}}
	var daemons []byte
	for _, f := range files {
		p.Files = append(p.Files, kind.LocalFile{Path: filepath.Join(r.Dir, f.Path), Content: f.Content},
			kind.LocalFile{Path: filepath.Join(conf, f.Path), Content: f.Content, Owned: true})
		if f.Path == "daemons" {
			daemons = f.Content
		}
	}
	for _, dd := range enabledDaemons(daemons) {
		args := append([]string{filepath.Join(libDir(r.Env), dd[0]), "-N", inst, "--log", "stdout"}, dd[1:]...)
		proc := kind.LocalProcess{Name: dd[0], Args: args, Log: filepath.Join(r.NodeDir, dd[0]+".log")}
		if dd[0] == "zebra" {
			proc.Wait = []string{"vtysh", "-N", inst, "-d", "zebra", "-c", "show version"}
		}
		p.Processes = append(p.Processes, proc)
	}
	if len(p.Processes) == 0 {
		return kind.LocalPlan{}, fmt.Errorf("router %s: the daemons file enables no FRR daemon", r.Node)
	}
	return p, nil
}

// Ready: vtysh sees every daemon we started; then `vtysh -b` loads frr.conf.
func (daemon) Ready(inst string, processes []string) kind.Readiness {
	return kind.Readiness{
		Probe: []string{"vtysh", "-N", inst, "-c", "show daemons"},
		Check: func(out []byte) error { return allConnected(string(out), processes) },
		Then:  [][]string{{"vtysh", "-N", inst, "-b"}},
	}
}

// CLI points vtysh at the instance.
func (daemon) CLI(inst string, argv []string) []string {
	if len(argv) > 0 && argv[0] == "vtysh" && !kind.HasFlag(argv[1:], "-N", "--pathspace") {
		return append([]string{"vtysh", "-N", inst}, argv[1:]...)
	}
	return slices.Clone(argv)
}

// allConnected checks `show daemons` lists every daemon started.
func allConnected(out string, processes []string) error {
	have := strings.Fields(out)
	for _, p := range processes {
		if !slices.Contains(have, p) {
			return fmt.Errorf("%s not connected yet (vtysh sees: %s)", p, strings.TrimSpace(out))
		}
	}
	return nil
}

// enabledDaemons reads which daemons a `daemons` file enables, in start order (zebra
// first), each with its options.
func enabledDaemons(daemonsFile []byte) [][]string {
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
