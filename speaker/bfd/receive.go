package bfd

import (
	"errors"
	"time"
)

var errLocalDiscr = errors.New("bfd: SetParams: LocalDiscr cannot change on a live session: create a new session")

// Next is the RFC 5880 §6.8.6 transition for a packet in state remote received
// in state local (not AdminDown, whose packets are discarded). diag is the
// LocalDiag that goes with a change.
func Next(local, remote State) (State, Diag) {
	if remote == AdminDown {
		if local != Down {
			return Down, NeighborSignaledSessionDown
		}
		return local, NoDiagnostic
	}
	switch local {
	case Down:
		switch remote {
		case Down:
			return Init, NoDiagnostic
		case Init:
			return Up, NoDiagnostic
		}
	case Init:
		if remote == Init || remote == Up {
			return Up, NoDiagnostic
		}
	case Up:
		if remote == Down {
			return Down, NeighborSignaledSessionDown
		}
	}
	return local, NoDiagnostic
}

// ReceiveBytes decodes b and hands the packet to Receive.
func (s *Session) ReceiveBytes(b []byte, now time.Time) (Actions, error) {
	var p Packet
	if err := p.Unmarshal(b); err != nil {
		return Actions{Deadline: s.NextDeadline()}, err
	}
	return s.Receive(&p, now)
}

// Receive processes a control packet for this session (§6.8.6). A discarded
// packet changes nothing and returns a PacketError. p is not retained.
func (s *Session) Receive(p *Packet, now time.Time) (Actions, error) {
	if err := p.Validate(); err != nil {
		return Actions{Deadline: s.NextDeadline()}, err
	}
	if p.YourDiscr != 0 && p.YourDiscr != s.cfg.LocalDiscr {
		return Actions{Deadline: s.NextDeadline()}, ErrDiscriminator
	}
	if p.AuthPresent {
		return Actions{Deadline: s.NextDeadline()}, ErrAuth
	}
	s.remoteDiscr = p.MyDiscr
	s.remoteState = p.State
	s.remoteDemand = p.Demand
	s.remoteMinRx = p.RequiredMinRx
	s.remoteMinTx = p.DesiredMinTx
	s.remoteMult = p.DetectMult
	s.remotePoll = p.Poll
	if p.Final {
		s.finalReceived()
	}
	s.lastRx = now // re-arms the detection timer
	s.retime(now)

	var a Actions
	// In AdminDown §6.8.6 discards the packet here, after updating the
	// variables; a Poll is still answered, as §6.8.7 asks for a Final
	// "without respect to the session state" (FRR's bfdd does the same).
	if s.state != AdminDown {
		if to, diag := Next(s.state, p.State); to != s.state {
			s.setState(to, diag, now, &a)
		}
	}
	return s.finish(now, &a, p.Poll, false), nil
}
