package bfd

import (
	"errors"
	"fmt"
	"time"
)

// SlowTxInterval is the floor on bfd.DesiredMinTxInterval while the session is
// not Up (RFC 5880 §6.8.3), so a session to a silent neighbor costs one packet
// a second.
const SlowTxInterval = time.Second

// Config is what one session is asked to run. Intervals are truncated to whole
// microseconds, the wire's resolution.
type Config struct {
	// LocalDiscr is bfd.LocalDiscr: nonzero and unique among the adapter's
	// sessions. It cannot change on a live session.
	LocalDiscr uint32
	// DesiredMinTx is bfd.DesiredMinTxInterval once Up (floored at
	// SlowTxInterval while not Up).
	DesiredMinTx time.Duration
	// RequiredMinRx is bfd.RequiredMinRxInterval.
	RequiredMinRx time.Duration
	// DetectMult is bfd.DetectMult.
	DetectMult uint8
	// Passive: do not transmit until a packet from the peer has told us its
	// discriminator (RFC 5880 §6.1).
	Passive bool
}

// Validate returns every problem at once, each naming the field and a fix.
func (c Config) Validate() error {
	var errs []error
	if c.LocalDiscr == 0 {
		errs = append(errs, errors.New("bfd config: LocalDiscr is 0: use a nonzero discriminator unique to this session"))
	}
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"DesiredMinTx", c.DesiredMinTx}, {"RequiredMinRx", c.RequiredMinRx}} {
		if f.d < time.Microsecond || f.d > MaxInterval {
			errs = append(errs, fmt.Errorf("bfd config: %s is %v: use 1µs..%v (MetalLB's default is 300ms)", f.name, f.d, MaxInterval))
		}
	}
	if c.DetectMult == 0 {
		errs = append(errs, errors.New("bfd config: DetectMult is 0: use 1..255 (MetalLB's default is 3)"))
	}
	return errors.Join(errs...)
}

func (c Config) normalized() Config {
	c.DesiredMinTx = c.DesiredMinTx.Truncate(time.Microsecond)
	c.RequiredMinRx = c.RequiredMinRx.Truncate(time.Microsecond)
	return c
}
