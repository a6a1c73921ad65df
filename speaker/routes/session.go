package routes

import (
	"net/netip"
	"time"

	"github.com/bgplb/bgplb/config"
)

// Session is what the router port needs to run one BGP session: config.Peer without
// the node selectors, which only decide whether the session runs here. Every field
// is comparable, so two Sessions are equal exactly when == says so.
type Session struct {
	Name          string
	MyASN         uint32
	PeerASN       uint32 // 0 when DynamicASN is set
	DynamicASN    config.DynamicASN
	Address       netip.Addr // zero when Interface is set
	Interface     string     // unnumbered BGP over this node interface
	SourceAddress netip.Addr
	Port          uint16
	HoldTime      time.Duration
	KeepaliveTime time.Duration
	ConnectTime   time.Duration // 0: the implementation's default
	RouterID      netip.Addr    // zero: the node's
	Password      config.Password
	BFDProfile    string
	EBGPMultiHop  bool
	// GracefulRestart is enableGracefulRestart.
	GracefulRestart bool
	VRF             string
	DualStack       bool
	DisableMP       bool
}

// SessionFor copies the session parameters of a configured peer.
func SessionFor(p *config.Peer) Session {
	return Session{
		Name: p.Name, MyASN: p.MyASN, PeerASN: p.PeerASN, DynamicASN: p.DynamicASN,
		Address: p.Address, Interface: p.Interface, SourceAddress: p.SourceAddress, Port: p.Port,
		HoldTime: p.HoldTime, KeepaliveTime: p.KeepaliveTime, ConnectTime: p.ConnectTime,
		RouterID: p.RouterID, Password: p.Password, BFDProfile: p.BFDProfile,
		EBGPMultiHop: p.EBGPMultiHop, GracefulRestart: p.GracefulRestart, VRF: p.VRF,
		DualStack: p.DualStack, DisableMP: p.DisableMP,
	}
}

// IBGP reports whether the session is internal: same AS on both ends, or a dynamic
// ASN in "internal" mode. LOCAL_PREF is sent only over internal sessions.
func (s Session) IBGP() bool {
	if s.DynamicASN != config.NoDynamicASN {
		return s.DynamicASN == config.DynamicASNInternal
	}
	return s.PeerASN == s.MyASN
}

// Carries reports whether routes of addr's family travel over this session. A
// session carries its own family; with dualStackAddressFamily it carries both (MP-BGP),
// as MetalLB's v1beta2 BGPPeer defines it. Unnumbered sessions (Interface) run over
// an IPv6 link-local address and carry both families (RFC 8950 next hops), so they are
// never filtered here.
func (s Session) Carries(addr netip.Addr) bool {
	if s.DualStack || !s.Address.IsValid() {
		return true
	}
	return s.Address.Unmap().Is4() == addr.Unmap().Is4()
}

// sessionField is one comparable parameter of a Session and whether changing it
// needs the session torn down and opened again.
type sessionField struct {
	name  string
	reset bool
	same  func(a, b *Session) bool
}

// sessionFields lists every Session field. Why each resets:
//   - MyASN, PeerASN, DynamicASN, RouterID, HoldTime, KeepaliveTime, GracefulRestart,
//     DualStack, DisableMP are carried in, or negotiated by, the OPEN message
//     (ASN, BGP identifier, hold time, capabilities); keepalive follows the
//     negotiated hold time. A running session cannot renegotiate them.
//   - Address, Interface, Port, SourceAddress, VRF name the TCP connection itself.
//   - Password is the TCP MD5 key (RFC 2385) of the connection; a new key takes a
//     new connection on both ends.
//   - EBGPMultiHop sets the IP TTL of the connection (1 vs 255); we reset rather than
//     rely on every implementation re-applying it to a live socket.
//
// ConnectTime (the retry timer of a session that is down) and BFDProfile (run by our
// own BFD beside the session, which the BFD port reconfigures) change without a reset.
var sessionFields = []sessionField{
	{"myASN", true, func(a, b *Session) bool { return a.MyASN == b.MyASN }},
	{"peerASN", true, func(a, b *Session) bool { return a.PeerASN == b.PeerASN }},
	{"dynamicASN", true, func(a, b *Session) bool { return a.DynamicASN == b.DynamicASN }},
	{"peerAddress", true, func(a, b *Session) bool { return a.Address == b.Address }},
	{"interface", true, func(a, b *Session) bool { return a.Interface == b.Interface }},
	{"sourceAddress", true, func(a, b *Session) bool { return a.SourceAddress == b.SourceAddress }},
	{"peerPort", true, func(a, b *Session) bool { return a.Port == b.Port }},
	{"holdTime", true, func(a, b *Session) bool { return a.HoldTime == b.HoldTime }},
	{"keepaliveTime", true, func(a, b *Session) bool { return a.KeepaliveTime == b.KeepaliveTime }},
	{"connectTime", false, func(a, b *Session) bool { return a.ConnectTime == b.ConnectTime }},
	{"routerID", true, func(a, b *Session) bool { return a.RouterID == b.RouterID }},
	{"password", true, func(a, b *Session) bool { return a.Password == b.Password }},
	{"bfdProfile", false, func(a, b *Session) bool { return a.BFDProfile == b.BFDProfile }},
	{"ebgpMultiHop", true, func(a, b *Session) bool { return a.EBGPMultiHop == b.EBGPMultiHop }},
	{"enableGracefulRestart", true, func(a, b *Session) bool { return a.GracefulRestart == b.GracefulRestart }},
	{"vrf", true, func(a, b *Session) bool { return a.VRF == b.VRF }},
	{"dualStackAddressFamily", true, func(a, b *Session) bool { return a.DualStack == b.DualStack }},
	{"disableMP", true, func(a, b *Session) bool { return a.DisableMP == b.DisableMP }},
}

// changes returns the BGPPeer spec field names that differ between old and new, and
// whether any of them needs a session reset.
func changes(old, new *Session) (fields []string, reset bool) {
	for _, f := range sessionFields {
		if !f.same(old, new) {
			fields = append(fields, f.name)
			reset = reset || f.reset
		}
	}
	return fields, reset
}
