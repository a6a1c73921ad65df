package bfd

import "time"

// updateLocalTimers recomputes the advertised intervals from the
// configuration and the state, and applies §6.8.3: any change starts a Poll
// Sequence; while Up, a larger DesiredMinTx is not used for transmitting, and
// a smaller RequiredMinRx is not used for detection, until the Poll completes.
// Changes in the other direction (and every change while not Up) apply at once.
func (s *Session) updateLocalTimers() {
	tx, rx := s.cfg.DesiredMinTx, s.cfg.RequiredMinRx
	if s.state != Up && tx < SlowTxInterval {
		tx = SlowTxInterval
	}
	changed := s.desiredTx != 0 && (tx != s.desiredTx || rx != s.requiredRx)
	s.desiredTx, s.requiredRx = tx, rx
	if s.state != Up || tx < s.txInEffect || s.txInEffect == 0 {
		s.txInEffect = tx
	}
	if s.state != Up || rx > s.rxInEffect {
		s.rxInEffect = rx
	}
	if changed {
		s.startPoll()
	}
}

// startPoll begins a Poll Sequence, or marks the running one stale: a Final
// may answer a Poll that carried the previous values, so a change during a
// Poll is only applied after a further Final (BFD has no sequence numbers).
func (s *Session) startPoll() {
	if s.polling {
		s.repoll = true
		return
	}
	s.polling = true
}

// finalReceived terminates our Poll Sequence (§6.8.6) and lets the held
// values take effect.
func (s *Session) finalReceived() {
	if !s.polling {
		return
	}
	if s.repoll {
		s.repoll = false
		return
	}
	s.polling = false
	s.txInEffect, s.rxInEffect = s.desiredTx, s.requiredRx
}

// txInterval is §6.8.2's max(bfd.DesiredMinTxInterval, bfd.RemoteMinRxInterval),
// with DesiredMinTx as held by a Poll Sequence.
func (s *Session) txInterval() time.Duration {
	return max(s.txInEffect, s.remoteMinRx)
}

// detectionTime is §6.8.4's asynchronous detection time: the remote
// multiplier times max(bfd.RequiredMinRxInterval, remote Desired Min TX).
// The remote value counts as at least SlowTxInterval while the peer is not Up
// or is polling: FRR advertises its new (or configured) interval there while
// still sending at 1 s, and timing it out would flap a session coming Up.
func (s *Session) detectionTime() time.Duration {
	remoteTx := s.remoteMinTx
	if (s.remoteState != Up || s.remotePoll) && remoteTx < SlowTxInterval {
		remoteTx = SlowTxInterval
	}
	return time.Duration(s.remoteMult) * max(s.rxInEffect, remoteTx)
}

// mayTransmit: a passive session stays silent until it knows the peer (§6.8.7).
func (s *Session) mayTransmit() bool {
	return !s.cfg.Passive || s.remoteDiscr != 0
}

// periodic: a peer asking for a Required Min RX of zero gets no periodic
// packets (§6.8.7).
func (s *Session) periodic() bool {
	return s.mayTransmit() && s.remoteMinRx != 0
}

// jittered returns the next gap: 75–100% of the interval, or 75–90% when
// bfd.DetectMult is 1 (§6.8.7), so a single late packet cannot expire the
// peer's detection timer.
func (s *Session) jittered(interval time.Duration) time.Duration {
	span := 0.25
	if s.cfg.DetectMult == 1 {
		span = 0.15
	}
	r := s.rnd()
	if r < 0 || r >= 1 {
		r = 0
	}
	return time.Duration(float64(interval) * (0.75 + span*r))
}

// schedule sets the next periodic transmission one jittered interval after now.
func (s *Session) schedule(now time.Time) {
	if !s.periodic() {
		s.nextTx, s.schedIntv = time.Time{}, 0
		return
	}
	s.schedIntv = s.txInterval()
	s.nextTx = now.Add(s.jittered(s.schedIntv))
}

// retime reschedules after the transmit interval may have changed: counting
// from the last transmission, a shorter interval is honoured at once and a
// longer one delays the next packet (§6.8.7). A session that never sent
// transmits at the next Tick.
func (s *Session) retime(now time.Time) {
	switch {
	case !s.periodic():
		s.nextTx, s.schedIntv = time.Time{}, 0
	case s.lastTx.IsZero():
		if s.nextTx.IsZero() {
			s.nextTx, s.schedIntv = now, s.txInterval()
		}
	case s.nextTx.IsZero() || s.schedIntv != s.txInterval():
		s.schedule(s.lastTx)
	}
}

// Tick runs the timers: the detection time expiring (§6.8.4) takes an Init or
// Up session Down with diag 1 and forgets the peer's discriminator (§6.8.1);
// a due periodic transmission is returned in Actions.
func (s *Session) Tick(now time.Time) Actions {
	var a Actions
	if !s.lastRx.IsZero() && !now.Before(s.lastRx.Add(s.detectionTime())) {
		s.lastRx = time.Time{}
		s.remoteDiscr = 0
		s.remoteState = Down
		s.remotePoll = false
		if s.state == Init || s.state == Up {
			s.setState(Down, ControlDetectionTimeExpired, now, &a)
		}
		s.retime(now) // a passive session falls silent again
	}
	due := !s.nextTx.IsZero() && !now.Before(s.nextTx)
	return s.finish(now, &a, false, due)
}

// SetParams retunes a live session. Interval changes run a Poll Sequence on
// the periodic packets (no extra packet, no state change); DetectMult applies
// from the next packet (§6.8.12). LocalDiscr cannot change.
func (s *Session) SetParams(cfg Config, now time.Time) (Actions, error) {
	if err := cfg.Validate(); err != nil {
		return Actions{Deadline: s.NextDeadline()}, err
	}
	if cfg.LocalDiscr != s.cfg.LocalDiscr {
		return Actions{Deadline: s.NextDeadline()}, errLocalDiscr
	}
	s.cfg = cfg.normalized()
	s.updateLocalTimers()
	s.retime(now)
	var a Actions
	return s.finish(now, &a, false, false), nil
}

// AdminDown disables the session: state AdminDown with diag 7, announced at
// once so the peer goes Down with diag 3 (§6.8.16).
func (s *Session) AdminDown(now time.Time) Actions {
	var a Actions
	s.setState(AdminDown, AdministrativelyDown, now, &a)
	return s.finish(now, &a, false, false)
}

// Enable takes an AdminDown session back to Down.
func (s *Session) Enable(now time.Time) Actions {
	var a Actions
	if s.state == AdminDown {
		s.setState(Down, NoDiagnostic, now, &a)
	}
	return s.finish(now, &a, false, false)
}
