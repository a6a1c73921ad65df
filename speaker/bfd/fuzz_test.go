package bfd

import (
	"bytes"
	"encoding/hex"
	"testing"
	"time"
)

// FuzzUnmarshal: decoding never panics; anything that decodes re-encodes to
// exactly its Length bytes; and a session fed the packet never panics.
func FuzzUnmarshal(f *testing.F) {
	g, _ := hex.DecodeString(golden)
	f.Add(g)
	f.Add(append(bytes.Clone(g), 0xff))
	f.Add([]byte{0x20, 0x44, 3, 28, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 4, 1, 'x'})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var p Packet
		if err := p.Unmarshal(b); err != nil {
			return
		}
		out, err := p.Marshal()
		if err != nil {
			t.Fatalf("decoded %x but cannot encode %+v: %v", b, p, err)
		}
		if want := b[:b[3]]; !bytes.Equal(out, want) {
			t.Fatalf("re-encoded %x, want %x", out, want)
		}
		now := time.Unix(0, 0)
		s, err := NewSession(Config{LocalDiscr: p.YourDiscr | 1, DesiredMinTx: time.Millisecond,
			RequiredMinRx: time.Millisecond, DetectMult: 3}, now, func() float64 { return 0.5 })
		if err != nil {
			t.Fatal(err)
		}
		a, _ := s.Receive(&p, now)
		if a.Transmit && a.Packet.Poll && a.Packet.Final {
			t.Fatalf("sent P and F together: %+v", a.Packet)
		}
		s.Tick(now.Add(time.Hour))
	})
}
