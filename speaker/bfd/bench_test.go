package bfd

import (
	"testing"
	"time"
)

// BenchmarkReceive: one received packet, decoded and stepped through the
// state machine of an Up session (the adapter's per-packet cost).
func BenchmarkReceive(b *testing.B) {
	s := sessionIn(b, Up, t0)
	pkt, _ := peerPacket(Up).Marshal()
	now := t0
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(time.Millisecond)
		if _, err := s.ReceiveBytes(pkt, now); err != nil {
			b.Fatal(err)
		}
	}
	if s.State() != Up {
		b.Fatalf("session left Up: %v", s.State())
	}
}

// BenchmarkTick: one timer firing that transmits a periodic packet, encoded
// into a reused buffer as the adapter would.
func BenchmarkTick(b *testing.B) {
	s := sessionIn(b, Up, t0)
	pkt, _ := peerPacket(Up).Marshal()
	buf := make([]byte, 0, 64)
	sent := 0
	b.ReportAllocs()
	for b.Loop() {
		now := s.NextDeadline()
		if _, err := s.ReceiveBytes(pkt, now); err != nil { // keep the peer alive
			b.Fatal(err)
		}
		a := s.Tick(now)
		if a.Transmit {
			buf, _ = a.Packet.AppendTo(buf[:0])
			sent++
		}
	}
	if sent == 0 || s.State() != Up {
		b.Fatalf("sent %d packets, state %v", sent, s.State())
	}
}
