package clab

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bgplb/bgplb/topologies/backend"
	"github.com/bgplb/bgplb/topologies/model"
)

// end returns link's end at node.
func end(t *testing.T, lab *model.Lab, link, node string) model.LinkEnd {
	t.Helper()
	for _, l := range lab.Links {
		for _, e := range l.Ends {
			if l.Name == link && e.Node == node {
				return e
			}
		}
	}
	t.Fatalf("no end of %s at %s", link, node)
	return model.LinkEnd{}
}

func fault(t *testing.T, x *labFixture, f backend.Fault) {
	t.Helper()
	if err := x.b.Fault(context.Background(), x.lab.Name, f); err != nil {
		t.Fatalf("%+v: %v", f, err)
	}
}

func TestFaultCommands(t *testing.T) {
	x := newLab(t, "two-dc")
	x.up(t)
	r1r3, r3r1 := end(t, x.lab, "r1-r3", "r1"), end(t, x.lab, "r1-r3", "r3")
	fab := end(t, x.lab, "fabric", "n1")
	for _, tc := range []struct {
		f    backend.Fault
		want []string
	}{
		{backend.Fault{Kind: backend.FaultLinkDown, Target: "r1-r3"}, []string{
			"docker exec clab-two-dc-r1 ip link set dev " + r1r3.Interface + " down",
			"docker exec clab-two-dc-r3 ip link set dev " + r3r1.Interface + " down"}},
		{backend.Fault{Kind: backend.FaultLinkUp, Target: "r1-r3", Node: "r3"}, []string{
			"docker exec clab-two-dc-r3 ip link set dev " + r3r1.Interface + " up"}},
		{backend.Fault{Kind: backend.FaultLinkDown, Target: "fabric", Node: "n1"}, []string{
			"ip link set dev " + fab.HostName + " down"}},
		{backend.Fault{Kind: backend.FaultFreeze, Target: "r2"}, []string{"docker pause clab-two-dc-r2"}},
		{backend.Fault{Kind: backend.FaultThaw, Target: "r2"}, []string{"docker unpause clab-two-dc-r2"}},
		{backend.Fault{Kind: backend.FaultKill, Target: "c1"}, []string{"docker kill clab-two-dc-c1"}},
		{backend.Fault{Kind: backend.FaultRestart, Target: "r4"}, []string{"containerlab restart --name two-dc --node r4"}},
		{backend.Fault{Kind: backend.FaultRestart, Target: "n2"}, []string{"containerlab restart --name two-dc --node two-dc-worker2"}},
	} {
		x.f.calls = nil
		fault(t, x, tc.f)
		wantCalls(t, x.f.calls, tc.want...)
	}
}

// TestPartitionCutsEveryLinkLeavingTheSite: dc2's ends of the shared fabric (host
// ports) and of the two eBGP links go down; dc2's own LAN and iBGP link stay up.
func TestPartitionCutsEveryLinkLeavingTheSite(t *testing.T) {
	x := newLab(t, "two-dc")
	x.up(t)
	want := func(state string) []string {
		return []string{
			"ip link set dev " + end(t, x.lab, "fabric", "r3").HostName + " " + state,
			"ip link set dev " + end(t, x.lab, "fabric", "r4").HostName + " " + state,
			"ip link set dev " + end(t, x.lab, "fabric", "n3").HostName + " " + state,
			"docker exec clab-two-dc-r3 ip link set dev " + end(t, x.lab, "r1-r3", "r3").Interface + " " + state,
			"docker exec clab-two-dc-r4 ip link set dev " + end(t, x.lab, "r2-r4", "r4").Interface + " " + state,
		}
	}
	x.f.calls = nil
	fault(t, x, backend.Fault{Kind: backend.FaultPartition, Target: "dc2"})
	wantCalls(t, x.f.calls, want("down")...)
	x.f.calls = nil
	fault(t, x, backend.Fault{Kind: backend.FaultHeal, Target: "dc2"})
	wantCalls(t, x.f.calls, want("up")...)
}

func TestFaultErrorsNameTheProblem(t *testing.T) {
	x := newLab(t, "two-dc")
	x.up(t)
	for _, tc := range []struct {
		f    backend.Fault
		want string
	}{
		{backend.Fault{Kind: backend.FaultLinkDown, Target: "nope"}, `no link "nope"`},
		{backend.Fault{Kind: backend.FaultLinkDown, Target: "r1-r3", Node: "r2"}, `node "r2" is not on link r1-r3`},
		{backend.Fault{Kind: backend.FaultPartition, Target: "dc9"}, `no node is in site "dc9"`},
		{backend.Fault{Kind: backend.FaultFreeze, Target: "r9"}, `no node "r9"`},
		{backend.Fault{Kind: backend.FaultKill, Target: "n1", Process: "speaker"}, `has no started process "speaker"`},
		{backend.Fault{Kind: "melt", Target: "r1"}, `unknown fault kind "melt"`},
	} {
		err := x.b.Fault(context.Background(), "two-dc", tc.f)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want %q", tc.f, err, tc.want)
		}
	}
	if err := x.b.Fault(context.Background(), "other", backend.Fault{Kind: backend.FaultFreeze, Target: "r1"}); err == nil || !strings.Contains(err.Error(), "not up on the clab backend") {
		t.Errorf("fault on a lab that is not up: %v", err)
	}
}

// TestStartTracksProcess: a host binary is copied in, started detached with its PID
// file, recorded (also across a new Backend), and process faults signal it by that file.
func TestStartTracksProcess(t *testing.T) {
	x := newLab(t, "two-dc")
	x.up(t)
	bin := filepath.Join(t.TempDir(), "speaker")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	x.f.calls = nil
	p := backend.Process{Name: "speaker", Args: []string{bin, "--node", "n1"}, Env: []string{"NODE_NAME=n1"}}
	if err := x.b.Start(context.Background(), "two-dc", "n1", p); err != nil {
		t.Fatal(err)
	}
	run := `docker exec -d -e NODE_NAME=n1 two-dc-worker sh -c echo $$ > /run/bgplb-speaker.pid; exec "$@" >> /var/log/bgplb-speaker.log 2>&1 bgplb-speaker /usr/local/bin/speaker --node n1`
	wantCalls(t, x.f.calls, "docker cp "+bin+" two-dc-worker:/usr/local/bin/speaker", run)

	again := New(x.b.o) // another process: state from the file, dir from Root
	x.f.calls = nil
	for _, k := range []backend.FaultKind{backend.FaultFreeze, backend.FaultThaw, backend.FaultKill} {
		if err := again.Fault(context.Background(), "two-dc", backend.Fault{Kind: k, Target: "n1", Process: "speaker"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := again.Fault(context.Background(), "two-dc", backend.Fault{Kind: backend.FaultRestart, Target: "n1", Process: "speaker"}); err != nil {
		t.Fatal(err)
	}
	sig := func(s string) string {
		return `docker exec two-dc-worker sh -c kill -` + s + ` "$(cat /run/bgplb-speaker.pid)"`
	}
	wantCalls(t, x.f.calls, sig("STOP"), sig("CONT"), sig("KILL"), sig("KILL"), run)

	st, err := again.Inspect(context.Background(), "two-dc")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range st.Nodes {
		if n.Name == "n1" && (len(n.Processes) != 2 || n.Processes[1].Name != "speaker" || n.Processes[1].Log != "two-dc-worker:/var/log/bgplb-speaker.log") {
			t.Errorf("n1 processes = %+v, want the container and the speaker", n.Processes)
		}
	}
	if err := x.b.Start(context.Background(), "two-dc", "n1", backend.Process{Name: "bad name"}); err == nil {
		t.Error("Start accepted a process without a command and with a space in its name")
	}
}
