package bfdio

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// UDP is the real Network: kernel UDP sockets in the current network namespace.
type UDP struct {
	log *slog.Logger
}

// NewUDP returns the real Network.
func NewUDP(log *slog.Logger) *UDP {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &UDP{log: log}
}

var _ Network = (*UDP)(nil)

// Listen opens UDP 3784 and 4784 on IPv4 (required) and IPv6 (skipped with a
// warning when the host has no IPv6), asking the kernel for each datagram's
// TTL / hop limit, destination address and interface.
func (u *UDP) Listen(deliver func(*Inbound)) (func(), error) {
	var conns []*net.UDPConn
	var multihop []bool
	closeAll := func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}
	for _, l := range []struct {
		network string
		port    int
	}{{"udp4", SingleHopPort}, {"udp6", SingleHopPort}, {"udp4", MultihopPort}, {"udp6", MultihopPort}} {
		c, err := listen(l.network, l.port)
		if err != nil {
			if l.network == "udp6" {
				u.log.Warn("BFD: no IPv6 listener; IPv6 peers get no BFD", "port", l.port, "error", err)
				continue
			}
			closeAll()
			return nil, err
		}
		conns = append(conns, c)
		multihop = append(multihop, l.port == MultihopPort)
	}
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Go(func() { u.read(c, multihop[i], deliver) })
	}
	return func() { closeAll(); wg.Wait() }, nil
}

func listen(network string, port int) (*net.UDPConn, error) {
	v6 := network == "udp6"
	lc := net.ListenConfig{Control: func(_, _ string, rc syscall.RawConn) error {
		return control(rc, func(fd int) error {
			if v6 {
				return errors.Join(
					unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_RECVHOPLIMIT, 1),
					unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_RECVPKTINFO, 1))
			}
			return errors.Join(
				unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_RECVTTL, 1),
				unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_PKTINFO, 1))
		})
	}}
	// "udp6" binds [::] with IPV6_V6ONLY, so IPv4 packets reach the udp4 socket.
	pc, err := lc.ListenPacket(context.Background(), network, fmt.Sprintf(":%d", port))
	if err != nil {
		return nil, fmt.Errorf("listen %s :%d: %w", network, port, err)
	}
	return pc.(*net.UDPConn), nil
}

// read is one listener's goroutine. Its buffers and Inbound are reused: a
// packet costs no allocation here.
func (u *UDP) read(c *net.UDPConn, multihop bool, deliver func(*Inbound)) {
	buf := make([]byte, 1500)
	oob := make([]byte, 256)
	in := &Inbound{Multihop: multihop}
	for {
		n, oobn, _, src, err := c.ReadMsgUDPAddrPort(buf, oob)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			u.log.Debug("BFD read failed", "error", err)
			time.Sleep(10 * time.Millisecond) // never spin on a persistent error
			continue
		}
		in.Data, in.Src = buf[:n], plain(src.Addr())
		in.TTL, in.Dst, in.IfIndex = -1, netip.Addr{}, 0
		parseControl(oob[:oobn], in)
		deliver(in)
	}
}

// Open binds a transmit socket to the session's source address and a free port
// in 49152–65535, connected to the peer's BFD port, sending with TTL 255 and
// DSCP CS6 (network control, as FRR's bfdd does).
func (u *UDP) Open(s Spec) (Sender, error) {
	port := uint16(SingleHopPort)
	if s.Multihop {
		port = MultihopPort
	}
	peer := s.PeerAddr.Unmap()
	if s.Interface != "" && peer.Is6() && peer.IsLinkLocalUnicast() {
		peer = peer.WithZone(s.Interface)
	}
	raddr := netip.AddrPortFrom(peer, port)
	ctl := func(_, _ string, rc syscall.RawConn) error {
		return control(rc, func(fd int) error { return txOptions(fd, peer.Is6(), s.Interface) })
	}
	local := s.LocalAddr
	if !local.IsValid() {
		// The kernel's choice for a route to the peer: what the BGP connection,
		// dialed without a source address, uses too.
		c, err := (&net.Dialer{Control: ctl}).Dial("udp", raddr.String())
		if err != nil {
			return nil, fmt.Errorf("bfd %s: no source address toward %s: %w", s.Peer, peer, err)
		}
		local = c.LocalAddr().(*net.UDPAddr).AddrPort().Addr()
		_ = c.Close()
	}
	const span = maxSourcePort - minSourcePort + 1
	start := rand.IntN(span)
	for i := range 64 {
		lport := uint16(minSourcePort + (start+i)%span)
		d := net.Dialer{LocalAddr: net.UDPAddrFromAddrPort(netip.AddrPortFrom(local, lport)), Control: ctl}
		c, err := d.Dial("udp", raddr.String())
		if err == nil {
			return &udpSender{c: c.(*net.UDPConn), local: netip.AddrPortFrom(plain(local), lport)}, nil
		}
		if !errors.Is(err, unix.EADDRINUSE) {
			return nil, fmt.Errorf("bfd %s: bind %s: %w", s.Peer, local, err)
		}
	}
	return nil, fmt.Errorf("bfd %s: no free source port in %d-%d on %s", s.Peer, minSourcePort, maxSourcePort, local)
}

// txOptions: TTL 255 (RFC 5881 §5, RFC 5883 §5), DSCP CS6, and the interface.
func txOptions(fd int, v6 bool, ifname string) error {
	var errs []error
	if v6 {
		errs = append(errs,
			unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_UNICAST_HOPS, 255),
			unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_TCLASS, 0xc0))
	} else {
		errs = append(errs,
			unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_TTL, 255),
			unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_TOS, 0xc0))
	}
	if ifname != "" {
		errs = append(errs, unix.BindToDevice(fd, ifname))
	}
	return errors.Join(errs...)
}

// Interface implements Network.
func (u *UDP) Interface(name string) (int, error) {
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		return 0, err
	}
	return ifi.Index, nil
}

type udpSender struct {
	c     *net.UDPConn
	local netip.AddrPort
}

func (s *udpSender) Send(b []byte) error   { _, err := s.c.Write(b); return err }
func (s *udpSender) Local() netip.AddrPort { return s.local }
func (s *udpSender) Close() error          { return s.c.Close() }

// control runs fn on the socket's descriptor.
func control(rc syscall.RawConn, fn func(fd int) error) error {
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = fn(int(fd)) }); err != nil {
		return err
	}
	return ferr
}

// plain drops IPv4 mapping and zone, the form every demux key uses.
func plain(a netip.Addr) netip.Addr { return a.Unmap().WithZone("") }
