package bfd

import (
	"errors"
	"time"
)

// Event is one change of the local session state.
type Event struct {
	At       time.Time
	From, To State
	Diag     Diag
}

// Actions is what one call asks of the adapter.
type Actions struct {
	// Transmit: send Packet now.
	Transmit bool
	Packet   Packet
	// Changed: the local state changed during this call, as Event says.
	Changed bool
	Event   Event
	// Deadline is when the adapter must call Tick next; zero means nothing
	// is scheduled (a passive session that has heard nobody).
	Deadline time.Time
}

// Timers are the negotiated values of a session, for status and tests.
type Timers struct {
	// TxInterval is the periodic transmit interval before jitter (§6.8.2);
	// zero when we do not transmit periodically.
	TxInterval time.Duration
	// DetectionTime is how long silence from the peer takes us Down (§6.8.4);
	// zero until the peer has been heard.
	DetectionTime time.Duration
	// What we advertise (bfd.DesiredMinTxInterval, bfd.RequiredMinRxInterval).
	DesiredMinTx, RequiredMinRx time.Duration
	// What the peer advertised in its last packet.
	RemoteDesiredMinTx, RemoteRequiredMinRx time.Duration
	RemoteDetectMult                        uint8
	// Polling: a Poll Sequence of ours awaits its Final.
	Polling bool
}

// Session is one BFD session (RFC 5880 §6.8.1 state variables plus timers).
// It is not safe for concurrent use: the adapter serialises calls.
type Session struct {
	cfg Config
	rnd func() float64

	state, remoteState State
	diag               Diag
	remoteDiscr        uint32
	remoteMinRx        time.Duration // bfd.RemoteMinRxInterval
	remoteMinTx        time.Duration // last received Desired Min TX
	remoteMult         uint8
	remoteDemand       bool
	remotePoll         bool

	// desiredTx and requiredRx are the advertised bfd.DesiredMinTxInterval and
	// bfd.RequiredMinRxInterval. txInEffect and rxInEffect are the values the
	// transmit interval and detection time use; during a Poll Sequence they
	// lag behind as §6.8.3 requires.
	desiredTx, requiredRx  time.Duration
	txInEffect, rxInEffect time.Duration
	polling, repoll        bool

	lastRx    time.Time // zero: peer not heard (detection timer not armed)
	lastTx    time.Time // last periodic or state-change transmission
	nextTx    time.Time // zero: no periodic transmission scheduled
	schedIntv time.Duration
}

// NewSession starts a session in Down at now. rnd must return values in [0,1);
// it jitters the transmit interval (pass rand.New(rand.NewPCG(seed, ...)).Float64).
func NewSession(cfg Config, now time.Time, rnd func() float64) (*Session, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if rnd == nil {
		return nil, errors.New("bfd: NewSession: rnd is nil: pass a random source returning [0,1)")
	}
	s := &Session{
		cfg:         cfg.normalized(),
		rnd:         rnd,
		state:       Down,
		remoteState: Down,
		remoteMinRx: time.Microsecond, // §6.8.1 initial value
	}
	s.updateLocalTimers()
	s.retime(now)
	return s, nil
}

// State is bfd.SessionState.
func (s *Session) State() State { return s.state }

// RemoteState is bfd.RemoteSessionState (Down again once the peer times out).
func (s *Session) RemoteState() State { return s.remoteState }

// Diag is bfd.LocalDiag, the reason for the last state change.
func (s *Session) Diag() Diag { return s.diag }

// LocalDiscr is bfd.LocalDiscr.
func (s *Session) LocalDiscr() uint32 { return s.cfg.LocalDiscr }

// RemoteDiscr is bfd.RemoteDiscr (0 until heard, and after a timeout).
func (s *Session) RemoteDiscr() uint32 { return s.remoteDiscr }

// RemoteDemandMode is the peer's D bit, parsed and otherwise ignored.
func (s *Session) RemoteDemandMode() bool { return s.remoteDemand }

// Config is the configuration the session runs.
func (s *Session) Config() Config { return s.cfg }

// Negotiated returns the timers in effect now.
func (s *Session) Negotiated() Timers {
	t := Timers{
		DesiredMinTx:        s.desiredTx,
		RequiredMinRx:       s.requiredRx,
		RemoteDesiredMinTx:  s.remoteMinTx,
		RemoteRequiredMinRx: s.remoteMinRx,
		RemoteDetectMult:    s.remoteMult,
		Polling:             s.polling,
	}
	if s.periodic() {
		t.TxInterval = s.txInterval()
	}
	if !s.lastRx.IsZero() {
		t.DetectionTime = s.detectionTime()
	}
	return t
}

// NextDeadline is when Tick must next be called; zero if never.
func (s *Session) NextDeadline() time.Time {
	d := s.nextTx
	if !s.lastRx.IsZero() {
		if exp := s.lastRx.Add(s.detectionTime()); d.IsZero() || exp.Before(d) {
			d = exp
		}
	}
	return d
}

// packet builds the control packet for the current state (§6.8.7).
func (s *Session) packet(final bool) Packet {
	return Packet{
		Diag:          s.diag,
		State:         s.state,
		Poll:          s.polling && !final, // never P and F together (§6.5)
		Final:         final,
		DetectMult:    s.cfg.DetectMult,
		MyDiscr:       s.cfg.LocalDiscr,
		YourDiscr:     s.remoteDiscr,
		DesiredMinTx:  s.desiredTx,
		RequiredMinRx: s.requiredRx,
		// RequiredMinEchoRx 0: we do not want echo packets (no echo function).
	}
}

// setState records a transition; the caller transmits because of it.
func (s *Session) setState(to State, diag Diag, now time.Time, a *Actions) {
	if to == s.state {
		return
	}
	a.Changed = true
	a.Event = Event{At: now, From: s.state, To: to, Diag: diag}
	s.state, s.diag = to, diag
	s.updateLocalTimers()
	s.retime(now)
}

// finish fills the transmit and deadline parts of a. A state change is
// announced at once (as FRR and BIRD do) rather than at the next periodic
// slot, which brings a session Up in one round trip; a Final is sent whatever
// the schedule (§6.8.7) and leaves the periodic schedule alone.
func (s *Session) finish(now time.Time, a *Actions, final, periodicDue bool) Actions {
	announce := (a.Changed || periodicDue) && s.mayTransmit()
	if announce || final {
		a.Transmit = true
		a.Packet = s.packet(final)
	}
	if announce {
		s.lastTx = now
		s.schedule(now)
	}
	a.Deadline = s.NextDeadline()
	return *a
}
