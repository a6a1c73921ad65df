package config

import (
	"time"

	"github.com/bgplb/bgplb/api/v1beta1"
)

// BFDProfile is a validated BFDProfile with MetalLB's defaults filled in.
type BFDProfile struct {
	Name string
	// ReceiveInterval is the minimum interval at which we can receive control packets.
	ReceiveInterval time.Duration
	// TransmitInterval is the minimum interval at which we want to send them.
	TransmitInterval time.Duration
	// DetectMultiplier is how many missed packets declare the session down.
	DetectMultiplier uint8
	// EchoInterval is the echo receive interval; kept for fidelity, bgplb sends no echo.
	EchoInterval time.Duration
	// EchoMode was asked for; bgplb's BFD runs without echo and warns about it.
	EchoMode bool
	// PassiveMode waits for the peer to send the first control packet.
	PassiveMode bool
	// MinimumTTL is the lowest TTL accepted on incoming packets (254 = one hop).
	MinimumTTL uint8
}

// MetalLB's BFD defaults (those of FRR's bfdd).
const (
	DefaultBFDReceiveInterval  = 300 * time.Millisecond
	DefaultBFDTransmitInterval = 300 * time.Millisecond
	DefaultBFDDetectMultiplier = 3
	DefaultBFDEchoInterval     = 50 * time.Millisecond
	DefaultBFDMinimumTTL       = 254
)

// bfdProfiles validates every BFDProfile and fills b.cfg.BFDProfiles, sorted by name.
func (b *builder) bfdProfiles(items []v1beta1.BFDProfile) {
	for _, it := range sortedByName(items, func(p v1beta1.BFDProfile) string { return p.Name }) {
		o := ref{KindBFDProfile, it.Name}
		if b.bfdByName[it.Name] != nil {
			b.errorf(o, "metadata.name", "duplicate-name", "give each BFDProfile its own name", "another BFDProfile is already named %q", it.Name)
			continue
		}
		s := it.Spec
		p := &BFDProfile{
			Name:             it.Name,
			ReceiveInterval:  b.bfdMillis(o, "spec.receiveInterval", s.ReceiveInterval, DefaultBFDReceiveInterval),
			TransmitInterval: b.bfdMillis(o, "spec.transmitInterval", s.TransmitInterval, DefaultBFDTransmitInterval),
			EchoInterval:     b.bfdMillis(o, "spec.echoInterval", s.EchoInterval, DefaultBFDEchoInterval),
			DetectMultiplier: uint8(b.bfdRange(o, "spec.detectMultiplier", s.DetectMultiplier, DefaultBFDDetectMultiplier, 2, 255)),
			MinimumTTL:       uint8(b.bfdRange(o, "spec.minimumTtl", s.MinimumTTL, DefaultBFDMinimumTTL, 1, 254)),
		}
		if s.EchoMode != nil && *s.EchoMode {
			p.EchoMode = true
			b.warnf(o, "spec.echoMode", "bfd-echo-unsupported", "remove echoMode (or set it to false) to silence this warning",
				"bgplb's BFD does not transmit echo packets; the session runs without echo")
		}
		if s.PassiveMode != nil {
			p.PassiveMode = *s.PassiveMode
		}
		b.bfdByName[p.Name] = p
		b.cfg.BFDProfiles = append(b.cfg.BFDProfiles, p)
	}
}

func (b *builder) bfdMillis(o ref, field string, v *uint32, def time.Duration) time.Duration {
	ms := b.bfdRange(o, field, v, uint32(def/time.Millisecond), 10, 60000)
	return time.Duration(ms) * time.Millisecond
}

// bfdRange returns *v (or def when nil), recording an error when it is out of
// MetalLB's range; the default stands in so later rules still see a sane value.
func (b *builder) bfdRange(o ref, field string, v *uint32, def, lo, hi uint32) uint32 {
	if v == nil {
		return def
	}
	if *v < lo || *v > hi {
		b.errorf(o, field, "bfd-value-invalid", "use a value between "+itoa(lo)+" and "+itoa(hi),
			"%d is out of range %d..%d", *v, lo, hi)
		return def
	}
	return *v
}
