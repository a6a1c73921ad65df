package serviceplane

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"
)

// Bounds of the API forwarder. Watches are long-lived and may be silent for
// minutes, so connections get TCP keep-alives rather than idle deadlines; the
// number of connections per namespace is capped instead.
const (
	forwardMaxConns   = 128
	forwardDialTime   = 5 * time.Second
	forwardAcceptWait = 100 * time.Millisecond
)

// forwarder accepts connections inside one node namespace and splices each to
// the apiserver on the host. It reads nothing: TLS passes through untouched.
type forwarder struct {
	ns     string
	target string
	ln     net.Listener
	log    *slog.Logger

	mu    sync.Mutex
	conns map[net.Conn]bool
	wg    sync.WaitGroup
}

// startForwarder listens on address (the apiserver's own host:port) inside
// the namespace ns and forwards to the same address on the host.
func startForwarder(ctx context.Context, ns, address string, log *slog.Logger) (*forwarder, error) {
	ln, err := ListenIn(ctx, ns, address)
	if err != nil {
		return nil, fmt.Errorf("api forwarder: %w", err)
	}
	f := &forwarder{ns: ns, target: address, ln: ln, log: log, conns: map[net.Conn]bool{}}
	f.wg.Add(1)
	go f.accept()
	return f, nil
}

func (f *forwarder) accept() {
	defer f.wg.Done()
	for {
		c, err := f.ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			// Out of file descriptors and the like: wait instead of spinning.
			f.log.Warn("api forwarder accept", "namespace", f.ns, "err", err)
			time.Sleep(forwardAcceptWait)
			continue
		}
		if !f.track(c) {
			f.log.Warn("api forwarder: too many connections, refusing one", "namespace", f.ns, "max", forwardMaxConns)
			c.Close()
			continue
		}
		f.wg.Add(1)
		go f.splice(c)
	}
}

func (f *forwarder) track(c net.Conn) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.conns == nil || len(f.conns) >= forwardMaxConns {
		return false
	}
	f.conns[c] = true
	return true
}

func (f *forwarder) untrack(cs ...net.Conn) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range cs {
		delete(f.conns, c)
		c.Close()
	}
}

func (f *forwarder) splice(in net.Conn) {
	defer f.wg.Done()
	// This goroutine's thread is in the host namespace: only ListenIn switches,
	// and on a thread of its own.
	d := net.Dialer{Timeout: forwardDialTime, KeepAlive: 30 * time.Second}
	out, err := d.Dial("tcp", f.target)
	if err != nil {
		f.log.Warn("api forwarder dial", "namespace", f.ns, "target", f.target, "err", err)
		f.untrack(in)
		return
	}
	if !f.track(out) {
		out.Close()
		f.untrack(in)
		return
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); pipe(out, in) }()
	go func() { defer wg.Done(); pipe(in, out) }()
	wg.Wait()
	f.untrack(in, out)
}

// pipe copies until src ends, then half-closes dst so the peer sees EOF while
// the other direction finishes.
func pipe(dst, src net.Conn) {
	io.Copy(dst, src) //nolint:errcheck // either end closing is the normal end
	if tc, ok := dst.(*net.TCPConn); ok {
		tc.CloseWrite()
	} else {
		dst.Close()
	}
}

// Close stops accepting, cuts every open connection and waits for the
// goroutines to end.
func (f *forwarder) Close() error {
	err := f.ln.Close()
	f.mu.Lock()
	for c := range f.conns {
		c.Close()
	}
	f.conns = nil
	f.mu.Unlock()
	f.wg.Wait()
	return err
}
