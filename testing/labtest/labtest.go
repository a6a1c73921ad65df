// Package labtest serializes the tests that bring labs up. A lab's namespaces and
// links are named after the lab, so two test binaries bringing up "two-dc" at
// once (go test runs packages in parallel) would collide, and one's clean-up
// would remove the other's lab. Tests that need a lab call Serialize first.
package labtest

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// LockFile is the machine-wide lock the lab tests take turns on.
const LockFile = "/run/lock/bgplb-lab-tests.lock"

// Serialize blocks until no other lab test on this machine runs, and holds the
// lock until tb ends (after its other clean-ups, which were registered later).
func Serialize(tb testing.TB) {
	tb.Helper()
	unlock, err := lock(LockFile, func() { tb.Logf("waiting for another lab test (%s)", LockFile) })
	if err != nil {
		tb.Fatalf("lab test lock: %v", err)
	}
	tb.Cleanup(unlock)
}

func lock(path string, waiting func()) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if err == syscall.EWOULDBLOCK {
		waiting()
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return func() { f.Close() }, nil // closing the file releases the lock
}
