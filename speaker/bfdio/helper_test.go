package bfdio

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"syscall"
	"testing"

	"github.com/bgplb/bgplb/speaker/bfd"
	"github.com/bgplb/bgplb/speaker/gobgp"
	"github.com/bgplb/bgplb/speaker/router"
)

// helperConfig is what the parent hands the helper process.
type helperConfig struct {
	// BGP, when set, runs embedded GoBGP behind a Gate driven by BFD events.
	BGP *helperBGP
	// Send, when set, makes the process send one packet and exit (run in the
	// router's namespace to forge packets with a chosen TTL).
	Send *helperSend
}

type helperBGP struct {
	ASN      uint32
	RouterID netip.Addr
	Peers    []router.Peer
	Routes   map[string][]router.Route
}

type helperSend struct {
	From, To netip.AddrPort
	TTL      int
	Packet   bfd.Packet
}

type helperCmd struct {
	Op    string // set, status, bgp
	Specs []Spec
}

type helperReply struct {
	Event    *Event            `json:",omitempty"`
	Status   []Status          `json:",omitempty"`
	Drops    map[string]uint64 `json:",omitempty"`
	Sessions []router.Session  `json:",omitempty"`
	Error    string            `json:",omitempty"`
	OK       bool              `json:",omitempty"`
}

// TestHelperProcess is not a test: it is the helper process of the
// integration tests (see lab_test.go), and skips when not run as one.
func TestHelperProcess(t *testing.T) {
	env := os.Getenv(helperEnv)
	if env == "" {
		t.Skip("helper process of the integration tests")
	}
	var cfg helperConfig
	if err := json.Unmarshal([]byte(env), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Send != nil {
		if err := forge(*cfg.Send); err != nil {
			t.Fatal(err)
		}
		return
	}
	if err := runHelper(cfg); err != nil {
		t.Fatal(err)
	}
}

// forge sends one control packet with the given TTL from the given address.
func forge(s helperSend) error {
	d := net.Dialer{LocalAddr: net.UDPAddrFromAddrPort(s.From), Control: func(_, _ string, rc syscall.RawConn) error {
		return control(rc, func(fd int) error { return syscall.SetsockoptInt(fd, syscall.IPPROTO_IP, syscall.IP_TTL, s.TTL) })
	}}
	c, err := d.Dial("udp", s.To.String())
	if err != nil {
		return err
	}
	defer c.Close()
	b, err := s.Packet.Marshal()
	if err != nil {
		return err
	}
	_, err = c.Write(b)
	return err
}

func runHelper(cfg helperConfig) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	m := New(Options{Logger: log})
	out := json.NewEncoder(os.Stdout) // one goroutine writes: the main loop below, events via ch
	replies := make(chan helperReply, 64)

	var gate *Gate
	if b := cfg.BGP; b != nil {
		srv, err := gobgp.New(ctx, gobgp.Config{ASN: b.ASN, RouterID: b.RouterID, Logger: log.With("component", "gobgp")})
		if err != nil {
			return err
		}
		defer srv.Close(context.Background(), false)
		gate = NewGate(srv, log)
		if err := gate.SetPeers(ctx, b.Peers); err != nil {
			return err
		}
		for p, rs := range b.Routes {
			if err := gate.SetRoutes(ctx, p, rs); err != nil {
				return err
			}
		}
	}
	m.Watch(ctx, func(ev Event) {
		if gate != nil {
			gate.Handle(ctx, ev) // at once, before anyone is told
		}
		replies <- helperReply{Event: &ev}
	})
	runErr := make(chan error, 1)
	go func() { runErr <- m.Run(ctx) }()

	cmds := make(chan helperCmd)
	go func() {
		defer close(cmds)
		sc := bufio.NewScanner(os.Stdin)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var c helperCmd
			if json.Unmarshal(sc.Bytes(), &c) == nil {
				cmds <- c
			}
		}
	}()
	for {
		select {
		case err := <-runErr:
			return fmt.Errorf("manager: %w", err)
		case r := <-replies:
			_ = out.Encode(r)
		case c, ok := <-cmds:
			if !ok {
				cancel() // EOF: stop (AdminDown to every peer)
				return <-runErr
			}
			_ = out.Encode(handle(ctx, m, gate, c))
		}
	}
}

func handle(ctx context.Context, m *Manager, gate *Gate, c helperCmd) helperReply {
	switch c.Op {
	case "set":
		if err := m.Set(ctx, c.Specs); err != nil {
			return helperReply{Error: err.Error()}
		}
		return helperReply{OK: true}
	case "status":
		return helperReply{Status: m.Sessions(), Drops: m.Drops(), OK: true}
	case "bgp":
		if gate == nil {
			return helperReply{Error: "no BGP in this helper"}
		}
		ss, err := gate.Sessions(ctx)
		if err != nil {
			return helperReply{Error: err.Error()}
		}
		return helperReply{Sessions: ss, OK: true}
	}
	return helperReply{Error: "unknown op " + c.Op}
}

// forgeFrom runs a helper in ns that sends p with ttl from `from` to `to`.
func (l *lab) forgeFrom(ns string, from, to netip.AddrPort, ttl int, p bfd.Packet) {
	l.T.Helper()
	b, _ := json.Marshal(helperConfig{Send: &helperSend{From: from, To: to, TTL: ttl, Packet: p}})
	cmd := exec.Command("ip", "netns", "exec", ns, os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), helperEnv+"="+string(b))
	if out, err := cmd.CombinedOutput(); err != nil {
		l.T.Fatalf("forge: %v: %s", err, out)
	}
}
