package eventpace

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

type sink struct {
	mu   sync.Mutex
	msgs []string
}

func (s *sink) Event(_ runtime.Object, _, reason, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, reason+":"+message)
}
func (s *sink) Eventf(o runtime.Object, t, reason, f string, a ...any) {
	s.Event(o, t, reason, fmt.Sprintf(f, a...))
}
func (s *sink) AnnotatedEventf(o runtime.Object, _ map[string]string, t, reason, f string, a ...any) {
	s.Event(o, t, reason, fmt.Sprintf(f, a...))
}
func (s *sink) n() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.msgs) }

func run(t *testing.T, r *Recorder) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

func waitN(t *testing.T, s *sink, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for s.n() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d events delivered", s.n(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// A burst larger than client-go's 1,000-event buffer arrives whole and in order.
func TestBurstIsDeliveredWholeInOrder(t *testing.T) {
	s := &sink{}
	r := New(s, Options{Rate: 1e6, Burst: 1000})
	run(t, r)
	svc := &corev1.Service{}
	for i := range 10_000 {
		r.Eventf(svc, corev1.EventTypeNormal, "nodeAssigned", "%d", i)
	}
	waitN(t, s, 10_000)
	for i, m := range s.msgs {
		if m != fmt.Sprintf("nodeAssigned:%d", i) {
			t.Fatalf("event %d is %s", i, m)
		}
	}
}

// Past Max, events are counted and the count is logged once, per reason.
func TestOverflowIsCountedAndLogged(t *testing.T) {
	s := &sink{}
	var logs bytes.Buffer
	r := New(s, Options{Rate: 1e6, Burst: 100, Max: 10, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	for i := range 25 {
		r.Event(&corev1.Service{}, corev1.EventTypeNormal, "IPAllocated", fmt.Sprint(i))
	}
	run(t, r)
	waitN(t, s, 10)
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "count=15") && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got := strings.Count(logs.String(), "events not recorded one by one"); got != 1 || !strings.Contains(logs.String(), "reason=IPAllocated count=15") {
		t.Fatalf("want one line counting 15 IPAllocated events, got:\n%s", logs.String())
	}
	if s.n() != 10 {
		t.Fatalf("%d events delivered, want the 10 queued", s.n())
	}
}

// Events are paced: with Burst 5 and 1 per second, 20 events are not all sent
// at once, and stopping reports how many were left.
func TestPacedAndLeftoverReported(t *testing.T) {
	s := &sink{}
	var logs bytes.Buffer
	r := New(s, Options{Rate: 1, Burst: 5, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	for range 20 {
		r.Event(&corev1.Service{}, corev1.EventTypeNormal, "IPAllocated", "x")
	}
	waitN(t, s, 5)
	time.Sleep(100 * time.Millisecond)
	cancel()
	<-done
	if s.n() > 7 {
		t.Fatalf("%d events sent at once, want about Burst (5)", s.n())
	}
	if want := fmt.Sprintf("reason=IPAllocated count=%d", 20-s.n()); !strings.Contains(logs.String(), want) {
		t.Fatalf("want %q in:\n%s", want, logs.String())
	}
}
