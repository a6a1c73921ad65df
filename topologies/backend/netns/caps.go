package netns

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/bgplb/bgplb/topologies/kind"
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

// probeDaemons asks each router kind's daemon what it needs and reports the kinds
// whose programs are installed (emulated kinds with the kind that runs them). BFD is
// there when every runnable daemon that needs extra programs for it has them.
func (b *Backend) probeDaemons(p *Probe, miss func(string, ...any)) {
	lacking := func(progs []string) []string {
		var out []string
		for _, prog := range progs {
			if _, err := b.o.Runner.LookPath(prog); err != nil {
				out = append(out, prog)
			}
		}
		return out
	}
	p.Caps.Known = b.o.Kinds.RouterNames()
	bfd, bfdMissing := false, false
	for _, name := range p.Caps.Known {
		run, err := b.o.Kinds.RunsAs(name)
		if err != nil {
			miss("kind %s: %v", name, err)
			continue
		}
		d := run.Local().Daemon
		if l := lacking(d.Needs(b.o.Env)); len(l) > 0 {
			how := d.Install()
			if run.Name() != name {
				how = fmt.Sprintf("it runs as %s here: %s; or use the clab backend", run.Name(), how)
			}
			miss("kind %s: missing %s (%s)", name, strings.Join(l, ", "), how)
			continue
		}
		p.Caps.Kinds = append(p.Caps.Kinds, name)
		if run.Name() != name {
			continue
		}
		bfd = true
		if bd, ok := d.(kind.BFDDaemon); ok {
			if l := lacking(bd.BFDNeeds(b.o.Env)); len(l) > 0 {
				bfdMissing = true
				miss("BFD: kind %s lacks %s (%s)", name, strings.Join(l, ", "), d.Install())
			}
		}
	}
	p.Caps.BFD = bfd && !bfdMissing
	slices.Sort(p.Caps.Kinds)
}
