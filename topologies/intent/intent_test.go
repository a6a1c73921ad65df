package intent_test

import (
	"strings"
	"testing"
	"time"

	"github.com/bgplb/bgplb/topologies/intent"
	"github.com/bgplb/bgplb/topologies/intent/intenttest"
)

func TestParseCommunity(t *testing.T) {
	for in, want := range map[string]string{
		"64512:100": "64512:100", "large:64512:1:2": "64512:1:2", "no-export": "65535:65281",
		"local-as": "65535:65283", "NO-ADVERTISE": "65535:65282", "blackhole": "65535:666",
	} {
		c, err := intent.ParseCommunity(in)
		if err != nil || c.Numeric() != want {
			t.Errorf("%q: %v %v, want %s", in, c.Numeric(), err, want)
		}
	}
	for _, bad := range []string{"64512", "65536:1", "large:1:2", "large:1:2:4294967296", "no-such", ""} {
		if _, err := intent.ParseCommunity(bad); err == nil {
			t.Errorf("%q: parsed, want an error", bad)
		}
	}
}

func TestTimers(t *testing.T) {
	for _, tc := range []struct {
		hold, keep     time.Duration
		wantK, wantH   int
		wantOK, errors bool
	}{
		{0, 0, 0, 0, false, false},
		{9 * time.Second, 3 * time.Second, 3, 9, true, false},
		{30 * time.Second, 0, 10, 30, true, false},
		{0, 10 * time.Second, 10, 30, true, false},
		{2 * time.Second, 0, 0, 0, false, true},
		{1500 * time.Millisecond, 0, 0, 0, false, true},
	} {
		k, h, ok, err := intent.Timers(intent.Neighbor{HoldTime: tc.hold, KeepaliveTime: tc.keep})
		if k != tc.wantK || h != tc.wantH || ok != tc.wantOK || (err != nil) != tc.errors {
			t.Errorf("hold %s keepalive %s: got %d %d %v %v", tc.hold, tc.keep, k, h, ok, err)
		}
	}
}

// TestCheckReportsEverything breaks several fields at once and expects one finding each.
func TestCheckReportsEverything(t *testing.T) {
	r := intenttest.Full()
	r.ASN = 0
	r.Neighbors[0].ASN = 0
	r.Neighbors[1].Address = r.Neighbors[0].Address
	r.Neighbors[3].RouteReflectorClient = true
	r.SpeakerPolicy.Accept[0].Le = 8
	err := intent.Check(r)
	for _, want := range []string{"ASN: 0 is reserved", "Neighbors[0] (198.51.100.10): ASN", "Neighbors[1] (198.51.100.10): Address: also Neighbors[0]", "Neighbors[3] (192.0.2.31): RouteReflectorClient", "SpeakerPolicy.Accept[0].Le 8"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("findings %v lack %q", err, want)
		}
	}
	if err := intent.Check(intenttest.Full()); err != nil {
		t.Errorf("the full intent is valid, got %v", err)
	}
}
