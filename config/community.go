package config

import (
	"cmp"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Community is one BGP community attached to announced routes: either a standard
// community (RFC 1997, two 16-bit halves in one uint32) or a large community
// (RFC 8092, three uint32s). The zero value is the standard community 0:0.
type Community struct {
	large    bool
	standard uint32
	parts    [3]uint32
}

// StandardCommunity builds the standard community high:low.
func StandardCommunity(high, low uint16) Community {
	return Community{standard: uint32(high)<<16 | uint32(low)}
}

// LargeCommunity builds the large community global:local1:local2.
func LargeCommunity(global, local1, local2 uint32) Community {
	return Community{large: true, parts: [3]uint32{global, local1, local2}}
}

// IsLarge reports whether c is a large community.
func (c Community) IsLarge() bool { return c.large }

// Standard returns the 32-bit value of a standard community (0 for a large one).
func (c Community) Standard() uint32 { return c.standard }

// Large returns the three parts of a large community (zeros for a standard one).
func (c Community) Large() [3]uint32 { return c.parts }

// String renders c the way MetalLB manifests write it: "A:B" or "large:A:B:C".
func (c Community) String() string {
	if c.large {
		return fmt.Sprintf("large:%d:%d:%d", c.parts[0], c.parts[1], c.parts[2])
	}
	return fmt.Sprintf("%d:%d", c.standard>>16, c.standard&0xffff)
}

// MarshalText encodes c as its String form.
func (c Community) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// Compare orders standard communities before large ones, then by value, so that
// resolved community lists are sorted the same way every time.
func (c Community) Compare(d Community) int {
	if c.large != d.large {
		if c.large {
			return 1
		}
		return -1
	}
	if r := cmp.Compare(c.standard, d.standard); r != 0 {
		return r
	}
	for i := range c.parts {
		if r := cmp.Compare(c.parts[i], d.parts[i]); r != 0 {
			return r
		}
	}
	return 0
}

// errNotCommunity says a string does not have the shape of a community at all, as
// opposed to having the shape with an out-of-range number. The difference matters:
// a shapeless string may still be an alias or a Community resource name.
var errNotCommunity = errors.New(`not a community: want "A:B" (16-bit numbers) or "large:A:B:C" (32-bit numbers)`)

// ParseCommunity parses "A:B" (each 0..65535) or "large:A:B:C" (each 0..4294967295).
// Well-known names are not accepted here; see WellKnownCommunity.
func ParseCommunity(s string) (Community, error) {
	if rest, ok := strings.CutPrefix(s, "large:"); ok {
		fs := strings.Split(rest, ":")
		if len(fs) != 3 {
			return Community{}, errNotCommunity
		}
		var parts [3]uint32
		for i, f := range fs {
			v, err := parseNumber(f, 32)
			if err != nil {
				return Community{}, fmt.Errorf("large community %q: part %d: %w", s, i+1, err)
			}
			parts[i] = uint32(v)
		}
		return LargeCommunity(parts[0], parts[1], parts[2]), nil
	}
	fs := strings.Split(s, ":")
	if len(fs) != 2 || !isDigits(fs[0]) || !isDigits(fs[1]) {
		return Community{}, errNotCommunity
	}
	high, err := parseNumber(fs[0], 16)
	if err != nil {
		return Community{}, fmt.Errorf("community %q: first half: %w", s, err)
	}
	low, err := parseNumber(fs[1], 16)
	if err != nil {
		return Community{}, fmt.Errorf("community %q: second half: %w", s, err)
	}
	return StandardCommunity(uint16(high), uint16(low)), nil
}

func parseNumber(s string, bits int) (uint64, error) {
	if !isDigits(s) {
		return 0, fmt.Errorf("%q is not a decimal number", s)
	}
	v, err := strconv.ParseUint(s, 10, bits)
	if err != nil {
		return 0, fmt.Errorf("%s is out of range 0..%d", s, uint64(1)<<bits-1)
	}
	return v, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// wellKnown maps the names routers accept for well-known communities (RFC 1997,
// RFC 3765, RFC 7611, RFC 7999, RFC 8326, RFC 9494) to their values. MetalLB does not
// accept these names; bgplb does, with a warning, because guides use them.
var wellKnown = map[string]Community{
	"no-export":           StandardCommunity(0xffff, 0xff01),
	"no-advertise":        StandardCommunity(0xffff, 0xff02),
	"no-export-subconfed": StandardCommunity(0xffff, 0xff03),
	"local-as":            StandardCommunity(0xffff, 0xff03),
	"no-peer":             StandardCommunity(0xffff, 0xff04),
	"blackhole":           StandardCommunity(0xffff, 666),
	"graceful-shutdown":   StandardCommunity(0xffff, 0),
	"accept-own":          StandardCommunity(0xffff, 1),
	"llgr-stale":          StandardCommunity(0xffff, 6),
	"no-llgr":             StandardCommunity(0xffff, 7),
}

// WellKnownCommunity returns the value of a well-known community name such as
// "no-export" (65535:65281).
func WellKnownCommunity(name string) (Community, bool) {
	c, ok := wellKnown[name]
	return c, ok
}
