package gobgp

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/bgplb/bgplb/testing/nsrig"
)

// The integration tests build a small lab of network namespaces: one for the
// speaker, one per router, joined by veth pairs. GoBGP dials from its own
// goroutines, so the speaker side cannot just setns one thread: the test binary
// re-executes itself under `ip netns exec <speaker ns>` (env childEnv names the
// test) and the child runs the adapter and checks the routers (vtysh, birdc and
// gobgp reach them through their control sockets or `ip netns exec`).

const childEnv = "BGPLB_GOBGP_NETNS_CHILD"

// labInfo is what the parent hands the child (as JSON in an env var).
type labInfo struct {
	Dir     string
	Routers map[string]string // router name -> namespace (also the FRR instance)
}

func inChild() bool { return os.Getenv(childEnv) != "" }

func childLab(t testing.TB) labInfo {
	var li labInfo
	if err := json.Unmarshal([]byte(os.Getenv(childEnv)), &li); err != nil {
		t.Fatalf("bad %s: %v", childEnv, err)
	}
	return li
}

type lab struct {
	*nsrig.Rig
	info labInfo
}

func newLab(t testing.TB) *lab {
	t.Helper()
	r := nsrig.New(t, "bgplbtest")
	return &lab{Rig: r, info: labInfo{Dir: r.Dir, Routers: map[string]string{}}}
}

// frr runs zebra and bgpd in a new namespace named for the router and loads conf.
func (l *lab) frr(name, conf string) string {
	l.T.Helper()
	ns := l.Netns(name)
	l.FRR(ns, conf, "zebra", "bgpd")
	l.info.Routers[name] = ns
	return ns
}

// runChild re-executes this test (or benchmark) inside the speaker namespace.
func (l *lab) runChild(speakerNS string, extra ...string) {
	l.T.Helper()
	info, _ := json.Marshal(l.info)
	name := l.T.Name()
	args := []string{"netns", "exec", speakerNS, os.Args[0], "-test.v", "-test.count=1"}
	if strings.HasPrefix(name, "Benchmark") {
		args = append(args, "-test.run=^$", "-test.bench=^"+name+"$", "-test.benchtime=1x")
	} else {
		args = append(args, "-test.run=^"+name+"$")
	}
	cmd := exec.Command("ip", append(args, extra...)...)
	cmd.Env = append(os.Environ(), childEnv+"="+string(info))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	l.T.Log("child in " + speakerNS + ":\n" + out.String())
	if err != nil {
		l.Logs()
		l.T.Fatalf("child failed: %v", err)
	}
}

// vtysh runs a show command on an FRR instance and decodes its JSON.
func vtysh(t testing.TB, inst, cmd string) map[string]any {
	t.Helper()
	var m map[string]any
	nsrig.Vtysh(t, inst, cmd, &m)
	return m
}

func background() context.Context { return context.Background() }
