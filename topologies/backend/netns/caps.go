package netns

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/bgplb/bgplb/topologies/model"
)

// Probe is what Capabilities found, with a reason for each thing missing.
type Probe struct {
	Caps    model.Capabilities
	Missing []string
}

// Sockets probes kernel socket options. They are kernel-wide (not per namespace), so
// the probe runs in the calling process.
type Sockets interface {
	// MD5 sets TCP_MD5SIG (RFC 2385) on a TCP socket.
	MD5() error
	// MinTTL sets IP_MINTTL, which GTSM (RFC 5082) needs.
	MinTTL() error
}

// KernelSockets probes this kernel.
type KernelSockets struct{}

// MD5 implements Sockets.
func (KernelSockets) MD5() error {
	return withTCPSocket(func(fd int) error {
		sig := unix.TCPMD5Sig{Keylen: 4}
		sig.Addr.Family = unix.AF_INET
		copy(sig.Addr.Data[2:6], []byte{192, 0, 2, 1}) // sockaddr_in: port (2 bytes), then address
		copy(sig.Key[:], "lab!")
		return unix.SetsockoptTCPMD5Sig(fd, unix.IPPROTO_TCP, unix.TCP_MD5SIG, &sig)
	})
}

// MinTTL implements Sockets.
func (KernelSockets) MinTTL() error {
	return withTCPSocket(func(fd int) error { return unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_MINTTL, 255) })
}

func withTCPSocket(f func(fd int) error) error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return f(fd)
}

// Capabilities probes the machine once (namespaces, veths, bridges, IPv6, TCP MD5,
// GTSM, installed daemons) and reports what the backend can run. It fails when the
// backend cannot run at all (no namespaces: not root).
func (b *Backend) Capabilities(ctx context.Context) (model.Capabilities, error) {
	p, err := b.Probe(ctx)
	return p.Caps, err
}

// Probe is Capabilities with the reasons for what is missing; it runs once per Backend.
func (b *Backend) Probe(ctx context.Context) (Probe, error) {
	b.probeOnce.Do(func() { b.probe, b.probeErr = b.doProbe(ctx) })
	return b.probe, b.probeErr
}

func (b *Backend) doProbe(ctx context.Context) (Probe, error) {
	p := Probe{Caps: model.Capabilities{Backend: b.Name()}}
	miss := func(format string, args ...any) { p.Missing = append(p.Missing, fmt.Sprintf(format, args...)) }
	ns := fmt.Sprintf("bgplb-probe-%d", os.Getpid())
	if _, err := b.run(ctx, "ip", "netns", "add", ns); err != nil {
		return p, fmt.Errorf("the netns backend cannot create a network namespace (it needs root): %w", err)
	}
	defer func() { _, _ = b.run(context.WithoutCancel(ctx), "ip", "netns", "del", ns) }()
	if _, err := b.run(ctx, "ip", "-n", ns, "link", "add", "p0", "type", "veth", "peer", "name", "p1"); err != nil {
		return p, fmt.Errorf("the netns backend cannot create a veth pair: %w", err)
	}
	if _, err := b.run(ctx, "ip", "-n", ns, "link", "add", "br0", "type", "bridge"); err != nil {
		miss("bridges (links with 3+ ends): %v", err)
	} else {
		p.Caps.Bridges = true
	}
	out, err := b.run(ctx, "ip", "netns", "exec", ns, "sysctl", "-n", "net.ipv6.conf.all.disable_ipv6")
	if err == nil && strings.TrimSpace(string(out)) == "0" {
		_, err = b.run(ctx, "ip", "-n", ns, "-6", "addr", "add", "2001:db8::1/128", "dev", "lo", "nodad")
	} else if err == nil {
		err = errors.New("disable_ipv6 is set")
	}
	if err != nil {
		miss("IPv6: %v", err)
	} else {
		p.Caps.IPv6 = true
	}
	sock := b.o.Sockets
	if sock == nil {
		sock = KernelSockets{}
	}
	if err := sock.MD5(); err != nil {
		miss("TCP MD5 passwords (setsockopt TCP_MD5SIG: %v; the kernel needs CONFIG_TCP_MD5SIG)", err)
	} else {
		p.Caps.MD5 = true
	}
	if err := sock.MinTTL(); err != nil {
		miss("TTL security/GTSM (setsockopt IP_MINTTL: %v)", err)
	} else {
		p.Caps.GTSM = true
	}
	b.probeDaemons(&p, miss)
	return p, nil
}

// probeDaemons maps installed daemons to router kinds. VyOS and cEOS run as FRR here.
func (b *Backend) probeDaemons(p *Probe, miss func(string, ...any)) {
	lacking := func(progs ...string) []string {
		var out []string
		for _, prog := range progs {
			if _, err := b.o.Runner.LookPath(prog); err != nil {
				out = append(out, prog)
			}
		}
		return out
	}
	lib := func(d string) string { return filepath.Join(b.o.FRRLibDir, d) }
	if l := lacking(lib("zebra"), lib("bgpd"), lib("staticd"), "vtysh"); len(l) == 0 {
		p.Caps.Kinds = append(p.Caps.Kinds, "frr", "vyos", "ceos")
		if l := lacking(lib("bfdd")); len(l) == 0 {
			p.Caps.BFD = true
		} else {
			miss("BFD: FRR's bfdd is not installed (%s)", strings.Join(l, ", "))
		}
	} else {
		miss("kinds frr, vyos and ceos (vyos and ceos run as FRR here; or use the clab backend): missing %s (apt-get install frr)", strings.Join(l, ", "))
		miss("BFD: FRR's bfdd is not installed")
	}
	if l := lacking("bird", "birdc"); len(l) == 0 {
		p.Caps.Kinds = append(p.Caps.Kinds, "bird")
	} else {
		miss("kind bird: missing %s (apt-get install bird2)", strings.Join(l, ", "))
	}
	if l := lacking("gobgpd", "gobgp"); len(l) == 0 {
		p.Caps.Kinds = append(p.Caps.Kinds, "gobgp")
	} else {
		miss("kind gobgp: missing %s (apt-get install gobgpd)", strings.Join(l, ", "))
	}
	slices.Sort(p.Caps.Kinds)
}
