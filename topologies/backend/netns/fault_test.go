package netns

import (
	"context"
	"strings"
	"testing"

	"github.com/bgplb/bgplb/topologies/backend"
)

// upSmall brings the small lab up on a recorder and returns the commands' count so far.
func upSmall(t *testing.T) (*Backend, *recorder, string) {
	t.Helper()
	rec := newRecorder()
	scriptFRR(rec)
	b, _ := testBackend(t, rec)
	lab := resolve(t, smallTopology)
	if err := b.Up(context.Background(), lab, backend.UpOptions{}); err != nil {
		t.Fatal(err)
	}
	return b, rec, lab.Tag
}

// since returns the commands recorded after the first n.
func since(rec *recorder, n int) string { return strings.Join(rec.commands()[n:], "\n") }

func TestFaults(t *testing.T) {
	b, rec, tag := upSmall(t)
	ctx := context.Background()
	cases := []struct {
		f    backend.Fault
		want string
	}{
		{backend.Fault{Kind: backend.FaultLinkDown, Target: "r1-r2"},
			"ip -n " + tag + "-r1 link set dev eth1 down\nip -n " + tag + "-r2 link set dev eth1 down"},
		{backend.Fault{Kind: backend.FaultLinkUp, Target: "lan", Node: "n1"},
			"ip -n " + tag + "-n1 link set dev eth1 up"},
		// The kernel dropped c1's routes with its link: link-up puts them back.
		{backend.Fault{Kind: backend.FaultLinkUp, Target: "lan", Node: "c1"},
			"ip -n " + tag + "-c1 link set dev eth1 up\nip -n " + tag + "-c1 -batch - <<\nroute replace 198.18.0.0/24 via 203.0.113.1"},
		{backend.Fault{Kind: backend.FaultFreeze, Target: "r1", Process: "bgpd"}, "kill -19 -1003\nkill -19 1003"},
		{backend.Fault{Kind: backend.FaultThaw, Target: "r1", Process: "bgpd"}, "kill -18 -1003\nkill -18 1003"},
		{backend.Fault{Kind: backend.FaultKill, Target: "r2"}, "kill -9 -1005"},
		// Restart: BIRD (already killed) starts again with the same arguments and is waited for.
		{backend.Fault{Kind: backend.FaultRestart, Target: "r2"},
			"start[1006] ip netns exec " + tag + "-r2 bird -f -c"},
		// Partition dc2: the r1-r2 veth goes down on both ends; the LAN is all dc1.
		{backend.Fault{Kind: backend.FaultPartition, Target: "dc2"},
			"ip -n " + tag + "-r1 link set dev eth1 down\nip -n " + tag + "-r2 link set dev eth1 down"},
		{backend.Fault{Kind: backend.FaultHeal, Target: "dc2"},
			"ip -n " + tag + "-r1 link set dev eth1 up\nip -n " + tag + "-r2 link set dev eth1 up"},
	}
	for _, c := range cases {
		n := len(rec.commands())
		if err := b.Fault(ctx, "small", c.f); err != nil {
			t.Fatalf("%+v: %v", c.f, err)
		}
		if got := since(rec, n); !strings.HasPrefix(got, c.want) {
			t.Errorf("%+v:\ngot:\n%s\nwant prefix:\n%s", c.f, got, c.want)
		}
	}
	st, err := b.Inspect(ctx, "small")
	if err != nil {
		t.Fatal(err)
	}
	for _, nd := range st.Nodes {
		for _, p := range nd.Processes {
			if !p.Running {
				t.Errorf("%s/%s not running after the faults healed", nd.Name, p.Name)
			}
		}
	}
	for _, bad := range []backend.Fault{
		{Kind: backend.FaultLinkDown, Target: "nope"},
		{Kind: backend.FaultLinkDown, Target: "r1-r2", Node: "c1"},
		{Kind: backend.FaultFreeze, Target: "c1"},
		{Kind: backend.FaultPartition, Target: "mars"},
		{Kind: "melt", Target: "r1"},
	} {
		if err := b.Fault(ctx, "small", bad); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

// TestPartitionSplitsSharedBridge: a bridge with ends on both sides is split by moving
// the inside nodes' ports to a partition bridge, recorded before it is created.
func TestPartitionSplitsSharedBridge(t *testing.T) {
	b, rec, tag := upSmall(t)
	n := len(rec.commands())
	if err := b.Fault(context.Background(), "small", backend.Fault{Kind: backend.FaultPartition, Target: "dc2"}); err != nil {
		t.Fatal(err)
	}
	// dc2 holds only r2 on a veth; move n1 (dc1) into a fake dc2 to exercise the bridge.
	s, _ := b.load("small")
	for i := range s.Nodes {
		if s.Nodes[i].Name == "n1" {
			s.Nodes[i].Site = "dc2"
		}
	}
	if err := s.save(); err != nil {
		t.Fatal(err)
	}
	n = len(rec.commands())
	if err := b.Fault(context.Background(), "small", backend.Fault{Kind: backend.FaultPartition, Target: "dc2"}); err != nil {
		t.Fatal(err)
	}
	want := "link add name p" + tag + "-1 type bridge stp_state 0 forward_delay 0\nlink set dev p" + tag + "-1 addrgenmode none up\nlink set dev v" + tag + "-1-1 master p" + tag + "-1"
	if got := since(rec, n); !strings.Contains(got, want) {
		t.Errorf("partition plan:\n%s\nwant:\n%s", got, want)
	}
	if s, _ := b.load("small"); !strings.Contains(strings.Join(s.Bridges, " "), "p"+tag+"-1") {
		t.Errorf("partition bridge not recorded: %v", s.Bridges)
	}
	n = len(rec.commands())
	if err := b.Fault(context.Background(), "small", backend.Fault{Kind: backend.FaultHeal, Target: "dc2"}); err != nil {
		t.Fatal(err)
	}
	if got := since(rec, n); !strings.Contains(got, "link set dev v"+tag+"-1-1 master b"+tag+"-1\nlink del dev p"+tag+"-1") {
		t.Errorf("heal plan:\n%s", got)
	}
}

func TestExecAddsDaemonAddress(t *testing.T) {
	b, rec, tag := upSmall(t)
	ctx := context.Background()
	for _, c := range []struct {
		node string
		cmd  []string
		want string
	}{
		{"r1", []string{"vtysh", "-c", "show bgp summary json"}, "ip netns exec " + tag + "-r1 vtysh -N " + tag + "-r1 -c show bgp summary json"},
		{"r1", []string{"vtysh", "-N", "other"}, "ip netns exec " + tag + "-r1 vtysh -N other"},
		{"r2", []string{"birdc", "show", "protocols"}, "ip netns exec " + tag + "-r2 birdc -s "},
		{"c1", []string{"ping", "-c1", "192.0.2.1"}, "ip netns exec " + tag + "-c1 ping -c1 192.0.2.1"},
	} {
		n := len(rec.commands())
		if err := b.Exec(ctx, "small", c.node, c.cmd, backend.ExecIO{}); err != nil {
			t.Fatal(err)
		}
		if got := since(rec, n); !strings.HasPrefix(got, c.want) {
			t.Errorf("exec %v on %s: %s, want prefix %s", c.cmd, c.node, got, c.want)
		}
	}
	if err := b.Exec(ctx, "small", "zz", []string{"true"}, backend.ExecIO{}); err == nil || !strings.Contains(err.Error(), "nodes:") {
		t.Errorf("exec on a missing node: %v", err)
	}
}

func TestStartTracksAndDownStops(t *testing.T) {
	b, rec, _ := upSmall(t)
	ctx := context.Background()
	if err := b.Start(ctx, "small", "n1", backend.Process{Name: "speaker", Args: []string{"bin/speaker", "--node", "n1"}}); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(ctx, "small", "n1", backend.Process{Name: "speaker", Args: []string{"x"}}); err == nil {
		t.Error("second Start of a running process succeeded")
	}
	pid := rec.nextPID
	if err := b.Fault(ctx, "small", backend.Fault{Kind: backend.FaultRestart, Target: "n1"}); err != nil {
		t.Fatal(err)
	}
	if rec.nextPID != pid+1 || !strings.Contains(rec.commands()[len(rec.commands())-1], "bin/speaker --node n1") {
		t.Errorf("restart did not start the speaker again with the same args: %s", rec.commands()[len(rec.commands())-1])
	}
	if err := b.Down(ctx, "small"); err != nil {
		t.Fatal(err)
	}
	if len(rec.live) != 0 {
		t.Errorf("processes alive after Down: %v", rec.live)
	}
}

func TestProbe(t *testing.T) {
	rec := newRecorder()
	rec.on("ip netns exec bgplb-probe-", "0\n", nil)
	rec.missing["bird"] = true
	b, _ := testBackend(t, rec)
	b.o.Sockets = fakeSockets{md5: errNoMD5}
	p, err := b.Probe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c := p.Caps
	if strings.Join(c.Kinds, ",") != "ceos,frr,gobgp,iosxe,openbgpd,vyos" || !c.IPv6 || !c.Bridges || c.MD5 || !c.GTSM || !c.BFD || c.Backend != "netns" {
		t.Errorf("caps %+v", c)
	}
	missing := strings.Join(p.Missing, "\n")
	if !strings.Contains(missing, "kind bird: missing bird") || !strings.Contains(missing, "TCP MD5") {
		t.Errorf("missing:\n%s", missing)
	}
	if cmds := rec.commands(); !strings.HasPrefix(cmds[len(cmds)-1], "ip netns del bgplb-probe-") {
		t.Errorf("probe namespace not deleted: %v", cmds)
	}
	// Without FRR, vyos and ceos go too, with a reason pointing at the clab backend.
	rec2 := newRecorder()
	rec2.missing["/usr/lib/frr/bgpd"] = true
	b2, _ := testBackend(t, rec2)
	p2, _ := b2.Probe(context.Background())
	if strings.Contains(strings.Join(p2.Caps.Kinds, ","), "ceos") || !strings.Contains(strings.Join(p2.Missing, "\n"), "clab backend") {
		t.Errorf("probe without frr: %+v", p2)
	}
	// FRR without bfdd: no BFD, and the reason says what is missing.
	recB := newRecorder()
	recB.missing["/usr/lib/frr/bfdd"] = true
	bB, _ := testBackend(t, recB)
	pB, _ := bB.Probe(context.Background())
	if pB.Caps.BFD || !strings.Contains(strings.Join(pB.Missing, "\n"), "BFD: kind frr lacks /usr/lib/frr/bfdd") {
		t.Errorf("probe without bfdd: %+v", pB)
	}
	// Not root: no namespace, no backend.
	rec3 := newRecorder()
	rec3.on("ip netns add", "", errNoMD5)
	b3, _ := testBackend(t, rec3)
	if _, err := b3.Capabilities(context.Background()); err == nil || !strings.Contains(err.Error(), "root") {
		t.Errorf("probe without namespaces: %v", err)
	}
}
