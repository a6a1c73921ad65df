package gobgp

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/bgplb/bgplb/speaker/router"
)

// MD5Hint is LastError for a session with a password whose TCP connects are never
// answered: Linux silently drops segments whose MD5 option is missing or wrong.
const MD5Hint = "no answer to TCP connect: likely TCP MD5 password mismatch or missing on the router"

// tracker keeps each session's state, since and last error, and delivers
// SessionEvents to watchers in order from one goroutine.
type tracker struct {
	now       func() time.Time
	logs      *logBridge
	hintAfter time.Duration

	mu       sync.Mutex
	st       map[string]*status // by peer name
	watchers map[int]func(router.SessionEvent)
	nextW    int
	queue    []router.SessionEvent
	wake     chan struct{}
}

type status struct {
	addr     string
	state    router.State
	since    time.Time
	lastErr  string
	refused  string // a router.Refused* code while the router's OPEN is refused
	password bool
	// trying is when the session last started trying to connect (configured or
	// went down); answered is whether any TCP connect got through since.
	trying    time.Time
	answered  bool
	hintAfter time.Duration
}

func newTracker(now func() time.Time, logs *logBridge, hintAfter time.Duration) *tracker {
	return &tracker{now: now, logs: logs, hintAfter: hintAfter, st: map[string]*status{},
		watchers: map[int]func(router.SessionEvent){}, wake: make(chan struct{}, 1)}
}

// add (re)starts tracking a session that was just configured.
func (t *tracker) add(name string, p router.Peer, connect time.Duration) {
	after := t.hintAfter
	if after == 0 {
		after = max(2*connect, 6*time.Second)
	}
	now := t.now()
	t.mu.Lock()
	t.st[name] = &status{addr: p.Address.String(), state: router.Idle, since: now,
		password: p.Password != "", trying: now, hintAfter: after}
	t.mu.Unlock()
}

func (t *tracker) remove(name string) {
	t.mu.Lock()
	delete(t.st, name)
	t.mu.Unlock()
}

// state records a state change reported by GoBGP.
func (t *tracker) state(name, addr string, st router.State) {
	now := t.now()
	t.mu.Lock()
	s, ok := t.st[name]
	if !ok || s.addr != addr || s.state == st {
		t.mu.Unlock()
		return
	}
	wasUp := s.state == router.Established
	s.state, s.since = st, now
	switch {
	case st == router.Established:
		s.lastErr, s.refused = "", ""
	case wasUp:
		s.lastErr = t.logs.downReason(addr)
		s.trying, s.answered = now, false
	}
	if st == router.OpenSent || st == router.OpenConfirm || st == router.Established {
		s.answered = true
	}
	t.enqueue(router.SessionEvent{Peer: name, State: st, Since: now, LastError: s.lastErr, Refused: s.refused})
	t.mu.Unlock()
}

// refuse records that the router's OPEN was refused (code is a router.Refused*
// code) and why; it stays until the session is established or reconfigured.
func (t *tracker) refuse(name, code, msg string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if s, ok := t.st[name]; ok && (s.lastErr != msg || s.refused != code) {
		s.lastErr, s.refused = msg, code
		t.enqueue(router.SessionEvent{Peer: name, State: s.state, Since: s.since, LastError: msg, Refused: code})
	}
}

// checkHints sets the MD5 hint on sessions whose connects have gone unanswered for
// long enough; run calls it every second.
func (t *tracker) checkHints() {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	for name, s := range t.st {
		if s.password && !s.answered && s.lastErr != MD5Hint && now.Sub(s.trying) >= s.hintAfter {
			s.lastErr = MD5Hint
			t.enqueue(router.SessionEvent{Peer: name, State: s.state, Since: s.since, LastError: s.lastErr})
		}
	}
}

// enqueue must be called with t.mu held.
func (t *tracker) enqueue(ev router.SessionEvent) {
	t.queue = append(t.queue, ev)
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

func (t *tracker) watch(ctx context.Context, fn func(router.SessionEvent)) {
	t.mu.Lock()
	id := t.nextW
	t.nextW++
	t.watchers[id] = fn
	t.mu.Unlock()
	go func() {
		<-ctx.Done()
		t.mu.Lock()
		delete(t.watchers, id)
		t.mu.Unlock()
	}()
}

// run delivers queued events and checks hints until ctx is done.
func (t *tracker) run(ctx context.Context, done chan<- struct{}) {
	defer close(done)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			t.checkHints()
		case <-t.wake:
		}
		t.mu.Lock()
		q := t.queue
		t.queue = nil
		fns := slices.Collect(maps.Values(t.watchers))
		t.mu.Unlock()
		for _, ev := range q {
			for _, fn := range fns {
				fn(ev)
			}
		}
	}
}

func (t *tracker) sessions() []router.Session {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]router.Session, 0, len(t.st))
	for _, name := range slices.Sorted(maps.Keys(t.st)) {
		s := t.st[name]
		out = append(out, router.Session{Peer: name, State: s.state, Since: s.since, LastError: s.lastErr, Refused: s.refused})
	}
	return out
}

// note sets a session's LastError without a state change (e.g. "waiting for the
// first SetRoutes", an AddPeer failure).
func (t *tracker) note(name, msg string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if s, ok := t.st[name]; ok && s.lastErr != msg {
		s.lastErr = msg
		t.enqueue(router.SessionEvent{Peer: name, State: s.state, Since: s.since, LastError: msg, Refused: s.refused})
	}
}
