// Package bfdio runs the speaker's BFD sessions on real sockets: the I/O and
// timer adapter around the pure core in speaker/bfd.
//
// Shape (one of each, whatever the number of sessions):
//
//   - a Manager holding every session, keyed by BGPPeer name, with the
//     discriminator demultiplexing table the core does not have (unique nonzero
//     local discriminators; a packet is found by Your Discriminator, or, when
//     that is 0, by source address and — for sessions bound to an interface —
//     the interface it arrived on);
//   - one receive goroutine per listener (UDP 3784 single-hop per RFC 5881 and
//     UDP 4784 multihop per RFC 5883, IPv4 and IPv6), reading the TTL / hop
//     limit, destination address and interface from control messages. Single-hop
//     packets are accepted only with TTL 255 (the GTSM check of RFC 5881 §5);
//     multihop packets need TTL >= the profile's minimumTtl;
//   - one timer goroutine driving every session from its NextDeadline, on an
//     injected Clock;
//   - one transmit socket per session, bound to the BGP session's source address
//     and a port in 49152–65535, sending with TTL 255 (RFC 5881 §4).
//
// Echo: we never bind UDP 3785 and always advertise a Required Min Echo RX of
// zero, so echo packets a router loops through this host's kernel are forwarded
// back untouched and nobody sends us any of our own.
//
// Set takes the full desired set of sessions (declarative, as the router port):
// new specs become sessions, changed intervals retune live sessions through the
// core's Poll/Final sequence (no flap), changed addresses replace the session,
// and missing specs are removed after an AdminDown packet tells the peer
// (RFC 5880 §6.8.16) so its BGP is not torn down by a timeout.
//
// Gate couples BFD to the BGP router port: a session going Down (other than by
// the peer's AdminDown, RFC 5882 §3.2) takes its BGP peer out of the router at
// once and keeps it out until BFD is Up again.
package bfdio
