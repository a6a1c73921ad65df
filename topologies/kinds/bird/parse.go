// Package bird probes a BIRD 2 router through birdc. BIRD has no JSON output, so the
// parsers read its text tolerantly: they key on the labels BIRD prints ("Neighbor
// address:", "BGP.community:"), skip what they do not know, and are tested on output
// captured from BIRD 2.0.12 (../testdata/bird).
package bird

import (
	"bufio"
	"bytes"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/bgplb/bgplb/topologies/kind"
)

// lines splits birdc output, dropping the greeting and the reply codes birdc may print
// when not run interactively ("0001 ", "1002-").
func lines(data []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 4*1024*1024)
	for sc.Scan() {
		l := sc.Text()
		if strings.HasPrefix(l, "BIRD ") && strings.HasSuffix(l, " ready.") {
			continue
		}
		out = append(out, l)
	}
	return out
}

// birdError reports birdc's own error replies ("syntax error", "Network not found").
func birdError(ls []string) error {
	for _, l := range ls {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "syntax error") || strings.HasPrefix(t, "Unknown command") ||
			strings.HasPrefix(t, "Unable to connect") {
			return fmt.Errorf("bird: %s", t)
		}
	}
	return nil
}

// ParseProtocols parses `show protocols all`: one Session per BGP protocol.
func ParseProtocols(data []byte) ([]kind.Session, error) {
	ls := lines(data)
	if err := birdError(ls); err != nil {
		return nil, err
	}
	var out []kind.Session
	var cur *kind.Session
	flush := func() {
		if cur != nil {
			out = append(out, *cur)
			cur = nil
		}
	}
	for _, l := range ls {
		if l == "" {
			continue
		}
		if l[0] != ' ' && l[0] != '\t' { // a protocol's table row: Name Proto Table State Since Info
			flush()
			f := strings.Fields(l)
			if len(f) >= 4 && f[1] == "BGP" {
				cur = &kind.Session{Name: f[0], State: kind.StateIdle, PrefixesReceived: -1}
				if len(f) > 5 {
					cur.State = normState(f[5])
					cur.Info = strings.Join(f[6:], " ")
				}
			}
			continue
		}
		if cur == nil {
			continue
		}
		key, val, ok := strings.Cut(strings.TrimSpace(l), ":")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		switch key {
		case "BGP state":
			cur.State = normState(val)
		case "Neighbor address":
			cur.Neighbor, _ = netip.ParseAddr(strings.Fields(val + " x")[0]) // "addr%iface" is rare
		case "Neighbor AS":
			cur.RemoteAS = parseUint32(val)
		case "Local AS":
			cur.LocalAS = parseUint32(val)
		case "Routes":
			// "2 imported, 0 exported, 2 preferred"; one line per channel, summed.
			if n, err := strconv.Atoi(strings.Fields(val)[0]); err == nil {
				if cur.PrefixesReceived < 0 {
					cur.PrefixesReceived = 0
				}
				cur.PrefixesReceived += n
			}
		case "Last error":
			cur.Info = val
		}
	}
	flush()
	for i := range out {
		if !out[i].Neighbor.IsValid() {
			return nil, fmt.Errorf("bird: show protocols all: protocol %s has no neighbor address", out[i].Name)
		}
	}
	kind.SortSessions(out)
	return out, nil
}

func normState(s string) string {
	for _, st := range []string{kind.StateIdle, kind.StateConnect, kind.StateActive,
		kind.StateOpenSent, kind.StateOpenConfirm, kind.StateEstablished} {
		if strings.EqualFold(s, st) {
			return st
		}
	}
	if strings.EqualFold(s, "down") || s == "" {
		return kind.StateIdle
	}
	return s
}

func parseUint32(s string) uint32 {
	n, _ := strconv.ParseUint(strings.Fields(s + " x")[0], 10, 32)
	return uint32(n)
}

// ParseBFD parses `show bfd sessions`: a table per BFD protocol, rows of
// "IP address  Interface  State  Since  Interval  Timeout".
func ParseBFD(data []byte) ([]kind.BFDPeer, error) {
	ls := lines(data)
	if err := birdError(ls); err != nil {
		return nil, err
	}
	var out []kind.BFDPeer
	for _, l := range ls {
		f := strings.Fields(l)
		if len(f) < 6 {
			continue
		}
		peer, err := netip.ParseAddr(f[0])
		if err != nil {
			continue // protocol name line or header
		}
		p := kind.BFDPeer{Peer: peer, Interface: f[1], State: strings.ToLower(f[2])}
		if p.Interface == "---" {
			p.Interface, p.Multihop = "", true
		}
		// Interval and Timeout are the last two columns (Since may hold a space).
		if iv, err := strconv.ParseFloat(f[len(f)-2], 64); err == nil {
			p.TransmitInterval = time.Duration(iv * float64(time.Second)).Round(time.Millisecond)
			if to, err := strconv.ParseFloat(f[len(f)-1], 64); err == nil && iv > 0 {
				p.DetectMultiplier = int(to/iv + 0.5)
			}
		}
		out = append(out, p)
	}
	kind.SortBFD(out)
	return out, nil
}
