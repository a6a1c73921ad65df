// Package bfd is the pure core of our BFD (RFC 5880, single-hop per RFC 5881):
// the control-packet codec and one session's state machine with its timers.
//
// It owns no socket, clock, goroutine or random source. The I/O adapter
// (speaker/bfdio) owns those and drives a Session with three kinds of calls:
//
//	s, _ := bfd.NewSession(cfg, now, rnd)      // rnd returns [0,1); jitter comes from it
//	a, err := s.Receive(pkt, now)               // a decoded packet for this session
//	a := s.Tick(now)                            // when now reaches a.Deadline
//	a, err := s.SetParams(cfg, now)             // retune without a flap (Poll/Final)
//	a := s.AdminDown(now); a = s.Enable(now)
//
// Every call returns Actions: a packet to send now (a periodic packet, a Final
// answering a Poll, or a packet announcing a state change), the state change it
// made, and the Deadline at which the adapter must call Tick next. Because time is
// an argument, tests run two sessions on a simulated clock for thousands of
// seconds in milliseconds, and the same inputs always give the same outputs.
//
// Asynchronous mode only: Demand mode and the Echo function are not implemented.
// Received D bits are parsed and ignored (we keep transmitting, which the RFC
// permits of a system not in Demand mode), and we always advertise a Required Min
// Echo RX Interval of zero so no peer sends us echo packets. Authentication is not
// supported: packets with the A bit decode (for counting) but Receive discards them.
//
// Interop deviations, each only ever making us slower to declare a peer down:
// while the peer is not Up, or is running a Poll Sequence, its Desired Min TX is
// taken as at least one second when computing the detection time, because FRR's
// bfdd keeps transmitting at its 1 s slow rate until its Poll Sequence completes
// (and older versions advertise their configured interval while doing so).
package bfd
