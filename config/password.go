package config

import (
	"fmt"
	"log/slog"
)

// redacted is what every printed form of a Password shows.
const redacted = "[redacted]"

// Password is a TCP MD5 password resolved from a BGPPeer. Its value lives in an
// unexported field and every way Go prints or encodes values (fmt verbs, JSON, text,
// slog) shows "[redacted]", so a Config can be logged or dumped without leaking it.
// Only Reveal returns the secret, for the one place that programs the BGP session.
type Password struct{ value string }

// NewPassword wraps a clear-text password.
func NewPassword(s string) Password { return Password{value: s} }

// IsSet reports whether a password is configured.
func (p Password) IsSet() bool { return p.value != "" }

// Reveal returns the clear-text password. Call it only to hand the password to the
// BGP implementation; never log its result.
func (p Password) Reveal() string { return p.value }

// String shows "[redacted]" when a password is set and "" when none is.
func (p Password) String() string {
	if !p.IsSet() {
		return ""
	}
	return redacted
}

// GoString keeps %#v from printing the value.
func (p Password) GoString() string { return fmt.Sprintf("config.Password(%q)", p.String()) }

// Format makes every fmt verb (%v, %+v, %s, %q, %x...) print the redacted form.
func (p Password) Format(f fmt.State, verb rune) {
	switch verb {
	case 'q':
		fmt.Fprintf(f, "%q", p.String())
	default:
		_, _ = f.Write([]byte(p.String()))
	}
}

// MarshalJSON encodes the redacted form.
func (p Password) MarshalJSON() ([]byte, error) { return fmt.Appendf(nil, "%q", p.String()), nil }

// MarshalText encodes the redacted form (YAML, text encoders, map keys).
func (p Password) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// LogValue keeps log/slog from reaching the value.
func (p Password) LogValue() slog.Value { return slog.StringValue(p.String()) }
