// Package intent interprets the NOS-neutral router intent (Router) the same way
// for every renderer: community syntax, well-known community names, timers, address
// families, update sources, BFD profiles and the checks every NOS shares. Renderers
// keep only the NOS's own syntax, so two NOSes can never disagree on what an intent means.
package intent

import (
	"fmt"
	"strconv"
	"strings"
)

// CommunityKind tells standard (RFC 1997), large (RFC 8092) and well-known communities apart.
type CommunityKind int

// The kinds of community.
const (
	Standard CommunityKind = iota
	Large
	WellKnown
)

// Community is one parsed community. Standard and well-known communities use A:B (a
// well-known one is 65535:B); large communities use A:B:C.
type Community struct {
	Kind    CommunityKind
	Name    string // the canonical well-known name ("no-export"), empty otherwise
	A, B, C uint32
}

// wellKnown maps the names accepted in intents to their RFC values. "local-as" is the
// Cisco/FRR name for NO_EXPORT_SUBCONFED, accepted as an alias.
var wellKnown = map[string]uint32{
	"graceful-shutdown":   0,
	"accept-own":          1,
	"llgr-stale":          6,
	"no-llgr":             7,
	"blackhole":           666,
	"no-export":           65281,
	"no-advertise":        65282,
	"no-export-subconfed": 65283,
	"local-as":            65283,
	"no-peer":             65284,
}

// WellKnownNames lists the accepted well-known names, for error messages.
const WellKnownNames = "graceful-shutdown, accept-own, llgr-stale, no-llgr, blackhole, no-export, no-advertise, no-export-subconfed (local-as), no-peer"

// ParseCommunity parses "A:B" (16-bit halves), "large:A:B:C" (32-bit parts) or a
// well-known name.
func ParseCommunity(s string) (Community, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	if v, ok := wellKnown[name]; ok {
		if name == "local-as" {
			name = "no-export-subconfed"
		}
		return Community{Kind: WellKnown, Name: name, A: 65535, B: v}, nil
	}
	if rest, ok := strings.CutPrefix(name, "large:"); ok {
		parts := strings.Split(rest, ":")
		if len(parts) != 3 {
			return Community{}, fmt.Errorf("large community %q: want large:A:B:C", s)
		}
		var v [3]uint32
		for i, p := range parts {
			n, err := strconv.ParseUint(p, 10, 32)
			if err != nil {
				return Community{}, fmt.Errorf("large community %q: part %d is not a 32-bit number", s, i+1)
			}
			v[i] = uint32(n)
		}
		return Community{Kind: Large, A: v[0], B: v[1], C: v[2]}, nil
	}
	a, b, ok := strings.Cut(name, ":")
	if !ok {
		return Community{}, fmt.Errorf("community %q: want A:B, large:A:B:C or a well-known name (%s)", s, WellKnownNames)
	}
	x, errA := strconv.ParseUint(a, 10, 16)
	y, errB := strconv.ParseUint(b, 10, 16)
	if errA != nil || errB != nil {
		return Community{}, fmt.Errorf("community %q: A and B must be 16-bit numbers", s)
	}
	return Community{Kind: Standard, A: uint32(x), B: uint32(y)}, nil
}

// Numeric is the community in numbers: "A:B" or "A:B:C".
func (c Community) Numeric() string {
	if c.Kind == Large {
		return fmt.Sprintf("%d:%d:%d", c.A, c.B, c.C)
	}
	return fmt.Sprintf("%d:%d", c.A, c.B)
}

// NameOr returns the NOS's own name for a well-known community when names maps it,
// else the numeric form, so each NOS prints what it accepts and shows back.
func (c Community) NameOr(names map[string]string) string {
	if c.Kind == WellKnown {
		if n, ok := names[c.Name]; ok {
			return n
		}
	}
	return c.Numeric()
}
