package labtest

import (
	"path/filepath"
	"testing"
	"time"
)

// A second holder waits until the first lets go.
func TestLockWaitsForTheHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	first, err := lock(path, func() { t.Error("the first holder waited") })
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan time.Time)
	go func() {
		second, err := lock(path, func() {})
		if err != nil {
			t.Error(err)
		}
		got <- time.Now()
		second()
	}()
	time.Sleep(100 * time.Millisecond)
	released := time.Now()
	first()
	if at := <-got; at.Before(released) {
		t.Errorf("second holder got the lock %s before the first let go", released.Sub(at))
	}
}
