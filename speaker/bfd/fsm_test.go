package bfd

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"
)

type outcome struct {
	to   State
	diag Diag // diag of the change; ignored when to equals the local state
}

// rfcTable is RFC 5880 §6.8.6's state machine written out as a table,
// independently of Next: [local][received] -> next state.
var rfcTable = map[State]map[State]outcome{
	AdminDown: {AdminDown: {AdminDown, 0}, Down: {AdminDown, 0}, Init: {AdminDown, 0}, Up: {AdminDown, 0}},
	Down:      {AdminDown: {Down, 0}, Down: {Init, 0}, Init: {Up, 0}, Up: {Down, 0}},
	Init: {AdminDown: {Down, NeighborSignaledSessionDown}, Down: {Init, 0},
		Init: {Up, 0}, Up: {Up, 0}},
	Up: {AdminDown: {Down, NeighborSignaledSessionDown}, Down: {Down, NeighborSignaledSessionDown},
		Init: {Up, 0}, Up: {Up, 0}},
}

var allStates = []State{AdminDown, Down, Init, Up}

// TestTransitionTable: for every (local, received) pair a real session moves
// as the RFC's table says, reports the change and announces it in a packet.
func TestTransitionTable(t *testing.T) {
	for _, local := range allStates {
		for _, remote := range allStates {
			s := sessionIn(t, local, t0)
			now := t0.Add(10 * time.Millisecond)
			a := mustReceive(t, s, peerPacket(remote), now)
			want := rfcTable[local][remote]
			if s.State() != want.to {
				t.Errorf("%v + received %v -> %v, want %v", local, remote, s.State(), want.to)
				continue
			}
			if want.to == local {
				if a.Changed {
					t.Errorf("%v + %v: reported a change %+v", local, remote, a.Event)
				}
				continue
			}
			if !a.Changed || a.Event != (Event{At: now, From: local, To: want.to, Diag: want.diag}) || s.Diag() != want.diag {
				t.Errorf("%v + %v: event %+v (changed %v) diag %v, want diag %v", local, remote, a.Event, a.Changed, s.Diag(), want.diag)
			}
			if !a.Transmit || a.Packet.State != want.to || a.Packet.Diag != want.diag {
				t.Errorf("%v + %v: change not announced: transmit %v packet %+v", local, remote, a.Transmit, a.Packet)
			}
			if got, _ := Next(local, remote); got != want.to && local != AdminDown {
				t.Errorf("Next(%v, %v) = %v, want %v", local, remote, got, want.to)
			}
		}
	}
}

// TestRandomWalk drives one session with random packets, clock jumps, admin
// actions and retunes, checking every step against the table and the
// detection rule, and the invariants of what it transmits.
func TestRandomWalk(t *testing.T) {
	rng := rand.New(rand.NewPCG(42, 7))
	for run := 0; run < 20; run++ {
		cfg := testConfig(1, 300*time.Millisecond)
		cfg.Passive = run%2 == 1
		s := mustSession(t, cfg, t0, uint64(run))
		now := t0
		var lastRx time.Time
		for step := 0; step < 2000; step++ {
			before := s.State()
			var a Actions
			var err error
			switch op := rng.IntN(10); {
			case op < 5:
				p := peerPacket(allStates[rng.IntN(4)])
				p.Poll = rng.IntN(4) == 0
				p.Final = !p.Poll && rng.IntN(4) == 0
				p.DesiredMinTx = time.Duration(1+rng.IntN(1500)) * time.Millisecond
				p.DetectMult = uint8(1 + rng.IntN(5))
				a, err = s.Receive(p, now)
				if err != nil {
					t.Fatalf("step %d: %v", step, err)
				}
				lastRx = now
				want := rfcTable[before][p.State]
				if s.State() != want.to || (want.to != before && s.Diag() != want.diag) {
					t.Fatalf("step %d: %v + %v -> %v/%v, want %v/%v", step, before, p.State, s.State(), s.Diag(), want.to, want.diag)
				}
				if p.Poll && (!a.Transmit || !a.Packet.Final) {
					t.Fatalf("step %d: Poll not answered with Final: %+v", step, a)
				}
			case op < 8:
				now = now.Add(time.Duration(rng.IntN(2000)) * time.Millisecond)
				det := s.Negotiated().DetectionTime
				expired := !lastRx.IsZero() && now.Sub(lastRx) >= det
				a = s.Tick(now)
				want := before
				if expired {
					lastRx = time.Time{}
					if before == Init || before == Up {
						want = Down
					}
				}
				if s.State() != want || (want != before && s.Diag() != ControlDetectionTimeExpired) {
					t.Fatalf("step %d: tick %v (expired %v) -> %v/%v", step, before, expired, s.State(), s.Diag())
				}
				if expired && s.RemoteDiscr() != 0 {
					t.Fatalf("step %d: remote discriminator kept after detection time", step)
				}
			case op == 8:
				if rng.IntN(2) == 0 {
					a = s.AdminDown(now)
					if s.State() != AdminDown || s.Diag() != AdministrativelyDown {
						t.Fatalf("step %d: AdminDown -> %v/%v", step, s.State(), s.Diag())
					}
				} else {
					a = s.Enable(now)
					if before == AdminDown && s.State() != Down || before != AdminDown && s.State() != before {
						t.Fatalf("step %d: Enable from %v -> %v", step, before, s.State())
					}
				}
			default:
				c := cfg
				c.DesiredMinTx = time.Duration(10+rng.IntN(1000)) * time.Millisecond
				c.RequiredMinRx = time.Duration(10+rng.IntN(1000)) * time.Millisecond
				c.DetectMult = uint8(1 + rng.IntN(4))
				a, err = s.SetParams(c, now)
				if err != nil || s.State() != before {
					t.Fatalf("step %d: SetParams: %v, state %v -> %v", step, err, before, s.State())
				}
			}
			checkActions(t, s, a, before)
		}
	}
}

func checkActions(t *testing.T, s *Session, a Actions, before State) {
	t.Helper()
	if a.Changed != (s.State() != before) || a.Changed && (a.Event.From != before || a.Event.To != s.State()) {
		t.Fatalf("event %+v (changed %v) for %v -> %v", a.Event, a.Changed, before, s.State())
	}
	if !a.Deadline.Equal(s.NextDeadline()) {
		t.Fatalf("deadline %v, NextDeadline %v", a.Deadline, s.NextDeadline())
	}
	if !a.Transmit {
		return
	}
	p := a.Packet
	if p.Poll && p.Final {
		t.Fatalf("P and F together: %+v", p)
	}
	if p.State != s.State() || p.Diag != s.Diag() || p.MyDiscr != 1 || p.YourDiscr != s.RemoteDiscr() {
		t.Fatalf("packet %+v does not reflect session (%v/%v remote %d)", p, s.State(), s.Diag(), s.RemoteDiscr())
	}
	if p.RequiredMinEchoRx != 0 {
		t.Fatalf("advertised echo RX %v: we do not support echo", p.RequiredMinEchoRx)
	}
	if p.State != Up && p.DesiredMinTx < SlowTxInterval {
		t.Fatalf("DesiredMinTx %v while %v: must be >= 1s", p.DesiredMinTx, p.State)
	}
	if s.Config().Passive && s.RemoteDiscr() == 0 {
		t.Fatalf("passive session transmitted before hearing the peer: %+v", p)
	}
	if err := p.Validate(); err != nil {
		t.Fatalf("we sent an invalid packet %+v: %v", p, err)
	}
}

func TestReceiveSessionChecks(t *testing.T) {
	s := sessionIn(t, Up, t0)
	other := peerPacket(Up)
	other.YourDiscr = 99
	if _, err := s.Receive(other, t0); !errors.Is(err, ErrDiscriminator) {
		t.Errorf("packet for session 99: %v, want ErrDiscriminator", err)
	}
	auth := peerPacket(Up)
	auth.AuthPresent, auth.Auth = true, []byte{1, 3, 1}
	if _, err := s.Receive(auth, t0); !errors.Is(err, ErrAuth) {
		t.Errorf("authenticated packet: %v, want ErrAuth", err)
	}
	down := peerPacket(Down)
	down.YourDiscr = 0 // allowed in Down: the peer does not know us yet
	mustReceive(t, s, down, t0)
	if s.State() != Down || s.Diag() != NeighborSignaledSessionDown {
		t.Errorf("Up + Down with your discr 0 -> %v/%v", s.State(), s.Diag())
	}
	if _, err := s.ReceiveBytes([]byte{0x40}, t0); !errors.Is(err, ErrVersion) {
		t.Errorf("version 2 bytes: %v", err)
	}
	if s.State() != Down {
		t.Errorf("a discarded packet changed the state to %v", s.State())
	}
}
