package metrics

import (
	"net/netip"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bgplb/bgplb/speaker/bfd"
	"github.com/bgplb/bgplb/speaker/bfdio"
)

func TestBFDMetalLBNames(t *testing.T) {
	sessions := []bfdio.Status{
		{Peer: "r1", PeerAddr: netip.MustParseAddr("192.0.2.1"), State: bfd.Up, ControlIn: 10, ControlOut: 12, UpEvents: 2, DownEvents: 1},
		{Peer: "r2", PeerAddr: netip.MustParseAddr("2001:db8::2"), State: bfd.Down, ControlOut: 3},
	}
	reg := prometheus.NewRegistry()
	vrf := func(peer string) string { return map[string]string{"r1": "default", "r2": "red"}[peer] }
	if _, err := NewBFD(reg, func() []bfdio.Status { return sessions }, vrf); err != nil {
		t.Fatal(err)
	}
	got := gather(t, reg)
	want := map[string]float64{
		"metallb_bfd_session_up{peer=192.0.2.1,vrf=default}":            1,
		"metallb_bfd_control_packet_input{peer=192.0.2.1,vrf=default}":  10,
		"metallb_bfd_control_packet_output{peer=192.0.2.1,vrf=default}": 12,
		"metallb_bfd_session_up_events{peer=192.0.2.1,vrf=default}":     2,
		"metallb_bfd_session_down_events{peer=192.0.2.1,vrf=default}":   1,
		"metallb_bfd_echo_packet_input{peer=192.0.2.1,vrf=default}":     0,
		"metallb_bfd_echo_packet_output{peer=192.0.2.1,vrf=default}":    0,
		"metallb_bfd_zebra_notifications{peer=192.0.2.1,vrf=default}":   0,
		"metallb_bfd_session_up{peer=2001:db8::2,vrf=red}":              0,
		"metallb_bfd_control_packet_output{peer=2001:db8::2,vrf=red}":   3,
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, v)
		}
	}

	// A removed session's series go with it.
	sessions = sessions[:1]
	if got := gather(t, reg); len(got) != 8 {
		t.Errorf("after removing r2: %d series, want 8: %v", len(got), got)
	}
}
