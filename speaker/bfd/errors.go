package bfd

// PacketError is why a received packet was discarded. Each reason is its own
// value so the adapter can count drops per reason (errors.As into a
// PacketError, then Label) and tests can assert the exact rule with errors.Is.
// Returning one never allocates.
type PacketError uint8

const (
	// ErrTruncated: the datagram is shorter than the packet's Length field
	// (or too short to hold one): "Length > payload" of §6.8.6.
	ErrTruncated PacketError = iota + 1
	// ErrVersion: the version field is not 1.
	ErrVersion
	// ErrLength: Length is below 24, or below 26 with the A bit set.
	ErrLength
	// ErrDetectMult: Detect Mult is zero.
	ErrDetectMult
	// ErrMultipoint: the M bit is set.
	ErrMultipoint
	// ErrMyDiscr: My Discriminator is zero.
	ErrMyDiscr
	// ErrYourDiscr: Your Discriminator is zero while State is Init or Up.
	ErrYourDiscr
	// ErrAuthLength: the A bit is set and the Auth Len byte is below 2 or
	// runs past Length.
	ErrAuthLength
	// ErrAuth: the A bit is set; this implementation uses no authentication
	// (bfd.AuthType is zero), so §6.8.6 says discard.
	ErrAuth
	// ErrDiscriminator: Your Discriminator names a session other than the
	// one the packet was given to.
	ErrDiscriminator
)

var packetErrors = [...]struct{ label, text string }{
	ErrTruncated:     {"truncated", "packet shorter than its length field"},
	ErrVersion:       {"version", "version is not 1"},
	ErrLength:        {"length", "length below 24 (26 with authentication)"},
	ErrDetectMult:    {"detect_mult", "detect multiplier is zero"},
	ErrMultipoint:    {"multipoint", "multipoint bit set"},
	ErrMyDiscr:       {"my_discriminator", "my discriminator is zero"},
	ErrYourDiscr:     {"your_discriminator", "your discriminator is zero in state Init or Up"},
	ErrAuthLength:    {"auth_length", "authentication section length invalid"},
	ErrAuth:          {"auth_unsupported", "authentication present but not configured"},
	ErrDiscriminator: {"no_session", "your discriminator does not match this session"},
}

func (e PacketError) Error() string {
	if int(e) < len(packetErrors) && e != 0 {
		return "bfd: discard: " + packetErrors[e].text
	}
	return "bfd: discard: unknown reason"
}

// Label is a short snake_case name for metrics and logs.
func (e PacketError) Label() string {
	if int(e) < len(packetErrors) && e != 0 {
		return packetErrors[e].label
	}
	return "unknown"
}
