package bfdio

import (
	"net/netip"
	"time"
)

// Inbound is one received datagram with what the kernel said about it. The
// Network reuses it (and Data) after deliver returns.
type Inbound struct {
	Data []byte
	// Src is the sender's address (IPv4-mapped addresses unmapped).
	Src netip.Addr
	// Dst is the address the datagram was sent to; IfIndex the interface it
	// arrived on (0 when unknown).
	Dst     netip.Addr
	IfIndex int
	// TTL is the IPv4 TTL or IPv6 hop limit; -1 when the kernel did not say
	// (such a packet fails every TTL check).
	TTL int
	// Multihop: it arrived on the RFC 5883 port.
	Multihop bool
}

// Sender transmits one session's packets.
type Sender interface {
	// Send transmits b to the peer; b is not retained.
	Send(b []byte) error
	// Local is the bound source address and port.
	Local() netip.AddrPort
	Close() error
}

// Network is the socket side of the Manager; UDP is the real one, tests use an
// in-memory one.
type Network interface {
	// Listen starts receiving on the BFD ports and calls deliver for every
	// datagram, from as many goroutines as there are listeners. stop closes the
	// listeners and returns once no deliver call is running.
	Listen(deliver func(*Inbound)) (stop func(), err error)
	// Open returns a transmit socket for s (bound source, TTL 255).
	Open(s Spec) (Sender, error)
	// Interface returns the index of the named interface.
	Interface(name string) (int, error)
}

// Clock is the time source of the timer loop.
type Clock interface {
	Now() time.Time
	NewTimer(d time.Duration) Timer
}

// Timer is a resettable one-shot timer.
type Timer interface {
	C() <-chan time.Time
	Reset(d time.Duration)
	Stop()
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now implements Clock.
func (SystemClock) Now() time.Time { return time.Now() }

// NewTimer implements Clock.
func (SystemClock) NewTimer(d time.Duration) Timer { return sysTimer{time.NewTimer(d)} }

type sysTimer struct{ t *time.Timer }

func (t sysTimer) C() <-chan time.Time { return t.t.C }

// Reset needs no drain: since Go 1.23 a reset timer never delivers a stale value.
func (t sysTimer) Reset(d time.Duration) { t.t.Reset(d) }
func (t sysTimer) Stop()                 { t.t.Stop() }
