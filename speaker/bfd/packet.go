package bfd

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"
)

// State is a BFD session state as carried in the Sta field (RFC 5880 §4.1).
type State uint8

const (
	AdminDown State = 0
	Down      State = 1
	Init      State = 2
	Up        State = 3
)

func (s State) String() string {
	switch s {
	case AdminDown:
		return "AdminDown"
	case Down:
		return "Down"
	case Init:
		return "Init"
	case Up:
		return "Up"
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// Diag is the diagnostic code explaining the last local state change (§4.1).
type Diag uint8

const (
	NoDiagnostic                Diag = 0
	ControlDetectionTimeExpired Diag = 1
	EchoFunctionFailed          Diag = 2
	NeighborSignaledSessionDown Diag = 3
	ForwardingPlaneReset        Diag = 4
	PathDown                    Diag = 5
	ConcatenatedPathDown        Diag = 6
	AdministrativelyDown        Diag = 7
	ReverseConcatenatedPathDown Diag = 8
)

var diagNames = [...]string{
	"NoDiagnostic", "ControlDetectionTimeExpired", "EchoFunctionFailed",
	"NeighborSignaledSessionDown", "ForwardingPlaneReset", "PathDown",
	"ConcatenatedPathDown", "AdministrativelyDown", "ReverseConcatenatedPathDown",
}

func (d Diag) String() string {
	if int(d) < len(diagNames) {
		return diagNames[d]
	}
	return fmt.Sprintf("Diag(%d)", uint8(d))
}

const (
	// Version is the only protocol version we speak.
	Version = 1
	// HeaderLen is the length of the mandatory section.
	HeaderLen = 24
	// minAuthLen is the shortest packet that can carry an authentication
	// section (its type and length bytes).
	minAuthLen = HeaderLen + 2
	// MaxInterval is the largest interval the 32-bit microsecond fields hold.
	MaxInterval = time.Duration(math.MaxUint32) * time.Microsecond
)

const (
	flagPoll   = 0x20
	flagFinal  = 0x10
	flagCPI    = 0x08
	flagAuth   = 0x04
	flagDemand = 0x02
	flagMulti  = 0x01
)

// Packet is a BFD Control packet (RFC 5880 §4.1). Intervals are carried on the
// wire in whole microseconds; Marshal truncates finer durations.
type Packet struct {
	Diag                    Diag
	State                   State
	Poll                    bool
	Final                   bool
	ControlPlaneIndependent bool
	AuthPresent             bool
	Demand                  bool
	Multipoint              bool
	DetectMult              uint8
	MyDiscr                 uint32
	YourDiscr               uint32
	DesiredMinTx            time.Duration
	RequiredMinRx           time.Duration
	RequiredMinEchoRx       time.Duration
	// Auth holds the bytes after the mandatory section up to Length: the
	// authentication section when AuthPresent. Unmarshal points it into the
	// input buffer (no copy), so it is valid only as long as that buffer is.
	Auth []byte
}

// AuthType returns the Auth Type byte, or 0 when there is no auth section.
func (p *Packet) AuthType() uint8 {
	if !p.AuthPresent || len(p.Auth) == 0 {
		return 0
	}
	return p.Auth[0]
}

// Unmarshal decodes b into p and applies the packet checks of RFC 5880 §6.8.6,
// in the RFC's order; the session checks (discriminator match, authentication)
// are Session.Receive's. b may be longer than the packet's Length (the rest is
// ignored). It does not allocate; p.Auth aliases b.
func (p *Packet) Unmarshal(b []byte) error {
	if len(b) == 0 {
		return ErrTruncated
	}
	if b[0]>>5 != Version {
		return ErrVersion
	}
	if len(b) < 4 {
		return ErrTruncated
	}
	flags := b[1]
	length := int(b[3])
	if length < HeaderLen || (flags&flagAuth != 0 && length < minAuthLen) {
		return ErrLength
	}
	if length > len(b) {
		return ErrTruncated
	}
	*p = Packet{
		Diag:                    Diag(b[0] & 0x1f),
		State:                   State(flags >> 6),
		Poll:                    flags&flagPoll != 0,
		Final:                   flags&flagFinal != 0,
		ControlPlaneIndependent: flags&flagCPI != 0,
		AuthPresent:             flags&flagAuth != 0,
		Demand:                  flags&flagDemand != 0,
		Multipoint:              flags&flagMulti != 0,
		DetectMult:              b[2],
		MyDiscr:                 binary.BigEndian.Uint32(b[4:]),
		YourDiscr:               binary.BigEndian.Uint32(b[8:]),
		DesiredMinTx:            micros(b[12:]),
		RequiredMinRx:           micros(b[16:]),
		RequiredMinEchoRx:       micros(b[20:]),
	}
	if length > HeaderLen {
		p.Auth = b[HeaderLen:length:length]
	}
	return p.Validate()
}

// Validate applies the field checks of §6.8.6 that need no session: detect
// multiplier, multipoint, discriminators and the auth section's own length.
func (p *Packet) Validate() error {
	switch {
	case p.DetectMult == 0:
		return ErrDetectMult
	case p.Multipoint:
		return ErrMultipoint
	case p.MyDiscr == 0:
		return ErrMyDiscr
	case p.YourDiscr == 0 && p.State != Down && p.State != AdminDown:
		return ErrYourDiscr
	case p.AuthPresent && (len(p.Auth) < 2 || int(p.Auth[1]) < 2 || int(p.Auth[1]) > len(p.Auth)):
		return ErrAuthLength
	}
	return nil
}

func micros(b []byte) time.Duration {
	return time.Duration(binary.BigEndian.Uint32(b)) * time.Microsecond
}

// Marshal encodes p. Length is 24 plus len(p.Auth); the version is always 1.
func (p *Packet) Marshal() ([]byte, error) {
	return p.AppendTo(make([]byte, 0, HeaderLen+len(p.Auth)))
}

// AppendTo appends the encoding of p to dst; with enough capacity in dst it
// does not allocate, which is what the adapter's send path wants.
func (p *Packet) AppendTo(dst []byte) ([]byte, error) {
	if p.Diag > 0x1f || p.State > Up {
		return dst, fmt.Errorf("bfd: encode: diag %d or state %d out of range", p.Diag, p.State)
	}
	if len(p.Auth) > math.MaxUint8-HeaderLen {
		return dst, errors.New("bfd: encode: auth section longer than 231 bytes")
	}
	var flags byte
	for _, f := range [...]struct {
		on  bool
		bit byte
	}{{p.Poll, flagPoll}, {p.Final, flagFinal}, {p.ControlPlaneIndependent, flagCPI},
		{p.AuthPresent, flagAuth}, {p.Demand, flagDemand}, {p.Multipoint, flagMulti}} {
		if f.on {
			flags |= f.bit
		}
	}
	var h [HeaderLen]byte
	h[0] = Version<<5 | byte(p.Diag)
	h[1] = byte(p.State)<<6 | flags
	h[2] = p.DetectMult
	h[3] = byte(HeaderLen + len(p.Auth))
	binary.BigEndian.PutUint32(h[4:], p.MyDiscr)
	binary.BigEndian.PutUint32(h[8:], p.YourDiscr)
	for i, d := range [...]time.Duration{p.DesiredMinTx, p.RequiredMinRx, p.RequiredMinEchoRx} {
		if d < 0 || d > MaxInterval {
			return dst, fmt.Errorf("bfd: encode: interval %v outside 0..%v", d, MaxInterval)
		}
		binary.BigEndian.PutUint32(h[12+4*i:], uint32(d/time.Microsecond))
	}
	return append(append(dst, h[:]...), p.Auth...), nil
}
