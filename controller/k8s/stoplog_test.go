package k8s

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/go-logr/logr"
)

// A normal stop logs the Lease release as Info; a Lease lost while running is
// still an error.
func TestLeaseLostIsAnErrorOnlyWhileRunning(t *testing.T) {
	var buf bytes.Buffer
	stopping := new(atomic.Bool)
	log := logr.FromSlogHandler(stopHandler{Handler: slog.NewJSONHandler(&buf, nil), stopping: stopping}).WithName("manager")
	log.Error(errors.New("leader election lost"), "error received after stop sequence was engaged")
	if !strings.Contains(buf.String(), `"level":"ERROR"`) {
		t.Errorf("while running, a lost Lease must be an error: %s", buf.String())
	}
	buf.Reset()
	stopping.Store(true)
	log.Error(errors.New("leader election lost"), "error received after stop sequence was engaged")
	log.Error(errors.New("boom"), "something else failed")
	out := buf.String()
	if !strings.Contains(out, `"level":"INFO","msg":"leader Lease released on shutdown"`) || strings.Count(out, `"level":"ERROR"`) != 1 {
		t.Errorf("on stop: want the release as INFO and the other error kept:\n%s", out)
	}
}
