package config

import (
	"slices"
	"strings"
)

// Passwords lists every clear-text password a snapshot holds — BGPPeer
// spec.password values and Secrets' password keys — longest first, so that one
// containing another is replaced whole. Writers of status, events, logs and
// metrics pass free text through Redact with it: findings quote spec.password
// when they are about it (it may name a Secret, or be the MD5 key itself).
func Passwords(res Resources) []string {
	var out []string
	for _, p := range res.Peers {
		out = appendNonEmpty(out, p.Spec.Password)
	}
	for _, p := range res.LegacyPeers {
		out = appendNonEmpty(out, p.Spec.Password)
	}
	for _, s := range res.Secrets {
		out = appendNonEmpty(out, string(s.Data[passwordKey]))
		out = appendNonEmpty(out, s.StringData[passwordKey])
	}
	slices.SortFunc(out, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	return slices.Compact(out)
}

// Redact replaces every one of passwords in s with "[redacted]".
func Redact(s string, passwords []string) string {
	for _, p := range passwords {
		s = strings.ReplaceAll(s, p, "[redacted]")
	}
	return s
}

func appendNonEmpty(out []string, s string) []string {
	if s == "" {
		return out
	}
	return append(out, s)
}
