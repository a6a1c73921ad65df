package bfd

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"testing"
	"time"
)

// golden is a packet written out by hand from RFC 5880 §4.1: version 1, diag 3,
// state Up, P set, mult 3, length 24, discriminators 0x11223344/0x55667788,
// intervals 300000, 300000 and 0 µs.
const golden = "23e00318" + "11223344" + "55667788" + "000493e0" + "000493e0" + "00000000"

func goldenPacket() Packet {
	return Packet{Diag: NeighborSignaledSessionDown, State: Up, Poll: true, DetectMult: 3,
		MyDiscr: 0x11223344, YourDiscr: 0x55667788,
		DesiredMinTx: 300 * time.Millisecond, RequiredMinRx: 300 * time.Millisecond}
}

func TestMarshalGolden(t *testing.T) {
	p := goldenPacket()
	b, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(b); got != golden {
		t.Fatalf("marshal = %s\nwant      %s", got, golden)
	}
	var q Packet
	raw, _ := hex.DecodeString(golden)
	if err := q.Unmarshal(raw); err != nil {
		t.Fatal(err)
	}
	if !equalPackets(p, q) {
		t.Fatalf("unmarshal = %+v, want %+v", q, p)
	}
}

func equalPackets(a, b Packet) bool {
	return reflect.DeepEqual(withoutAuth(a), withoutAuth(b)) && bytes.Equal(a.Auth, b.Auth)
}

func withoutAuth(p Packet) Packet {
	p.Auth = nil
	return p
}

func TestRoundTrip(t *testing.T) {
	for _, p := range []Packet{
		goldenPacket(),
		{State: Down, DetectMult: 1, MyDiscr: 1, DesiredMinTx: time.Second, RequiredMinRx: time.Microsecond},
		{State: AdminDown, Diag: AdministrativelyDown, DetectMult: 255, MyDiscr: ^uint32(0), Final: true,
			ControlPlaneIndependent: true, Demand: true, RequiredMinEchoRx: MaxInterval},
		{State: Init, DetectMult: 5, MyDiscr: 7, YourDiscr: 9, AuthPresent: true,
			Auth: []byte{1, 7, 1, 's', 'e', 'c', 'r'}}, // simple password, key id 1
	} {
		b, err := p.Marshal()
		if err != nil {
			t.Fatalf("%+v: %v", p, err)
		}
		var q Packet
		if err := q.Unmarshal(append(b, 0xee, 0xff)); err != nil { // trailing bytes are not the packet's
			t.Fatalf("%x: %v", b, err)
		}
		if !equalPackets(p, q) {
			t.Errorf("round trip %+v\n         -> %+v", p, q)
		}
		if q.AuthPresent && q.AuthType() != 1 {
			t.Errorf("auth type %d, want 1", q.AuthType())
		}
	}
}

func TestMarshalRejectsOutOfRange(t *testing.T) {
	for name, p := range map[string]Packet{
		"state":    {State: 4},
		"diag":     {Diag: 32},
		"interval": {DesiredMinTx: MaxInterval + time.Microsecond},
		"negative": {RequiredMinRx: -time.Microsecond},
		"auth":     {Auth: make([]byte, 232)},
	} {
		if _, err := p.Marshal(); err == nil {
			t.Errorf("%s: Marshal accepted %+v", name, p)
		}
	}
}

// TestUnmarshalRules checks every §6.8.6 packet rule both ways: the broken
// packet gets its own error, and the nearest valid packet passes.
func TestUnmarshalRules(t *testing.T) {
	base, _ := hex.DecodeString(golden)
	mod := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(base)) }
	auth := func(b []byte, authLen byte, total int) []byte {
		b[1] |= flagAuth
		b = append(b, 1, authLen)
		for len(b) < total {
			b = append(b, 'x')
		}
		b[3] = byte(total)
		return b
	}
	for _, c := range []struct {
		name string
		b    []byte
		want error
	}{
		{"valid", base, nil},
		{"empty", nil, ErrTruncated},
		{"version 0", mod(func(b []byte) []byte { b[0] &^= 0xe0; return b }), ErrVersion},
		{"version 2", mod(func(b []byte) []byte { b[0] = 2<<5 | b[0]&0x1f; return b }), ErrVersion},
		{"version 7", mod(func(b []byte) []byte { b[0] |= 0xe0; return b }), ErrVersion},
		{"3 bytes", base[:3], ErrTruncated},
		{"length 23", mod(func(b []byte) []byte { b[3] = 23; return b }), ErrLength},
		{"length 0", mod(func(b []byte) []byte { b[3] = 0; return b }), ErrLength},
		{"length 24 with A", mod(func(b []byte) []byte { b[1] |= flagAuth; return b }), ErrLength},
		{"length 25 with A", mod(func(b []byte) []byte { return auth(b, 2, 25)[:25] }), ErrLength},
		{"length 26 with A", mod(func(b []byte) []byte { return auth(b, 2, 26) }), nil},
		{"length beyond payload", mod(func(b []byte) []byte { b[3] = 25; return b }), ErrTruncated},
		{"payload shorter than 24", base[:20], ErrTruncated},
		{"length below payload", mod(func(b []byte) []byte { return append(b, 0) }), nil},
		{"detect mult 0", mod(func(b []byte) []byte { b[2] = 0; return b }), ErrDetectMult},
		{"detect mult 1", mod(func(b []byte) []byte { b[2] = 1; return b }), nil},
		{"multipoint", mod(func(b []byte) []byte { b[1] |= flagMulti; return b }), ErrMultipoint},
		{"my discr 0", mod(func(b []byte) []byte { copy(b[4:8], []byte{0, 0, 0, 0}); return b }), ErrMyDiscr},
		{"your discr 0 in Up", mod(func(b []byte) []byte { copy(b[8:12], []byte{0, 0, 0, 0}); return b }), ErrYourDiscr},
		{"your discr 0 in Init", mod(func(b []byte) []byte { copy(b[8:12], make([]byte, 4)); b[1] = b[1]&0x3f | 2<<6; return b }), ErrYourDiscr},
		{"your discr 0 in Down", mod(func(b []byte) []byte { copy(b[8:12], make([]byte, 4)); b[1] = b[1]&0x3f | 1<<6; return b }), nil},
		{"your discr 0 in AdminDown", mod(func(b []byte) []byte { copy(b[8:12], make([]byte, 4)); b[1] &= 0x3f; return b }), nil},
		{"auth len 1", mod(func(b []byte) []byte { return auth(b, 1, 28) }), ErrAuthLength},
		{"auth len past length", mod(func(b []byte) []byte { return auth(b, 5, 28) }), ErrAuthLength},
		{"auth len exact", mod(func(b []byte) []byte { return auth(b, 4, 28) }), nil},
	} {
		var p Packet
		if err := p.Unmarshal(c.b); !errors.Is(err, c.want) || (c.want == nil && err != nil) {
			t.Errorf("%s: Unmarshal = %v, want %v", c.name, err, c.want)
		}
	}
}

func TestPacketErrorsDistinct(t *testing.T) {
	seen := map[string]bool{}
	for e := ErrTruncated; e <= ErrDiscriminator; e++ {
		var pe PacketError
		if !errors.As(error(e), &pe) || pe != e {
			t.Errorf("%v: errors.As failed", e)
		}
		if seen[e.Label()] || seen[e.Error()] || e.Label() == "unknown" {
			t.Errorf("%d: label %q / text %q not distinct", e, e.Label(), e.Error())
		}
		seen[e.Label()], seen[e.Error()] = true, true
	}
}

func TestUnmarshalDoesNotAllocate(t *testing.T) {
	b, _ := hex.DecodeString(golden)
	var p Packet
	if n := testing.AllocsPerRun(100, func() { _ = p.Unmarshal(b) }); n != 0 {
		t.Errorf("Unmarshal allocates %.0f times per packet", n)
	}
	buf := make([]byte, 0, 64)
	if n := testing.AllocsPerRun(100, func() { buf, _ = p.AppendTo(buf[:0]) }); n != 0 {
		t.Errorf("AppendTo allocates %.0f times per packet", n)
	}
}
