package serviceplane

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"

	"golang.org/x/sys/unix"
)

// NetnsDir is where `ip netns add` keeps its named namespaces.
const NetnsDir = "/var/run/netns"

// ListenIn opens a TCP listener inside the named network namespace from this
// (host) process. A socket keeps the namespace it was created in, so the
// listener serves that namespace after the thread has switched back.
//
// The switch happens on a fresh goroutine locked to its OS thread. If the
// thread cannot return to its original namespace it stays locked, and the Go
// runtime ends a thread whose goroutine exits locked: a poisoned thread never
// runs other goroutines.
func ListenIn(ctx context.Context, namespace, address string) (net.Listener, error) {
	type result struct {
		l   net.Listener
		err error
	}
	done := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		l, err, restored := listenOnLockedThread(ctx, namespace, address)
		if restored {
			runtime.UnlockOSThread()
		}
		done <- result{l, err}
	}()
	r := <-done
	return r.l, r.err
}

// listenOnLockedThread must run on a locked OS thread. restored reports
// whether the thread is back in its original namespace.
func listenOnLockedThread(ctx context.Context, namespace, address string) (l net.Listener, err error, restored bool) {
	self := fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid())
	orig, err := os.Open(self)
	if err != nil {
		return nil, fmt.Errorf("listen in netns %s: open own namespace: %w", namespace, err), true
	}
	defer orig.Close()
	target, err := os.Open(filepath.Join(NetnsDir, namespace))
	if err != nil {
		return nil, fmt.Errorf("listen in netns %s: %w", namespace, err), true
	}
	defer target.Close()
	if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
		return nil, fmt.Errorf("listen in netns %s: setns: %w", namespace, err), true
	}
	// Only numeric addresses are passed in, so Listen resolves nothing and
	// makes its socket on this thread.
	var lc net.ListenConfig
	l, lerr := lc.Listen(ctx, "tcp", address)
	if err := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); err != nil {
		if l != nil {
			l.Close()
		}
		return nil, fmt.Errorf("listen in netns %s: return to own namespace (thread dropped): %w", namespace, err), false
	}
	if lerr != nil {
		return nil, fmt.Errorf("listen in netns %s: %w", namespace, lerr), true
	}
	return l, nil, true
}
