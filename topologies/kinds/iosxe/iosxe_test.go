package iosxe_test

import (
	"strings"
	"testing"

	"github.com/bgplb/bgplb/topologies/intent"
	"github.com/bgplb/bgplb/topologies/intent/intenttest"
	"github.com/bgplb/bgplb/topologies/kinds/iosxe"
)

// full is the everything intent without BFD passive mode and minimum TTL, which IOS-XE
// BFD templates lack.
func full() intent.Router { return intenttest.WithPlainBFD(intenttest.Full()) }

var cases = map[string]func() intent.Router{
	"minimal": intenttest.Minimal,
	"full":    full,
	"routers": intenttest.Routers,
}

// No IOS-XE parser exists here (generation only), so goldens are the check.
func TestGolden(t *testing.T) {
	for name, intent := range cases {
		t.Run(name, func(t *testing.T) {
			files, err := iosxe.New().Render(intent())
			if err != nil {
				t.Fatal(err)
			}
			intenttest.Golden(t, name, files)
		})
	}
}

func TestErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		mutate func(*intent.Router)
		want   string
	}{
		"passive bfd":                 {func(r *intent.Router) { r.Neighbors[1].BFD.Passive = true }, "Neighbors[1] (2001:db8:1::11): BFD.Passive"},
		"gtsm with multihop":          {func(r *intent.Router) { r.Neighbors[3].TTLSecurityHops = 1 }, "TTLSecurityHops with EBGPMultihop"},
		"interface name":              {func(r *intent.Router) { r.Interfaces[1].Name = "r1-dc2" }, `Interfaces[1].Name "r1-dc2"`},
		"multihop bfd without source": {func(r *intent.Router) { r.Neighbors[3].UpdateSource = "" }, "Neighbors[3] (192.0.2.31): BFD: the session is multihop"},
		"two bfd templates on one interface": {func(r *intent.Router) {
			r.Neighbors[1].Address = intenttest.Minimal().Neighbors[1].Address
			r.Neighbors[1].BFD = &intent.BFD{Profile: "slow", ReceiveInterval: 1000}
		}, "GigabitEthernet1 already uses"},
		"update source": {func(r *intent.Router) { r.Neighbors[2].UpdateSource = "192.0.2.1" }, `UpdateSource "192.0.2.1"`},
	} {
		t.Run(name, func(t *testing.T) {
			r := full()
			tc.mutate(&r)
			_, err := iosxe.New().Render(r)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
