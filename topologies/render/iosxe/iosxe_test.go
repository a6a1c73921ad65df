package iosxe_test

import (
	"strings"
	"testing"

	"github.com/bgplb/bgplb/topologies/render"
	"github.com/bgplb/bgplb/topologies/render/iosxe"
	"github.com/bgplb/bgplb/topologies/render/rendertest"
)

// full is the everything intent without BFD passive mode and minimum TTL, which IOS-XE
// BFD templates lack.
func full() render.Router { return rendertest.WithPlainBFD(rendertest.Full()) }

var cases = map[string]func() render.Router{
	"minimal": rendertest.Minimal,
	"full":    full,
	"routers": rendertest.Routers,
}

// No IOS-XE parser exists here (generation only), so goldens are the check.
func TestGolden(t *testing.T) {
	for name, intent := range cases {
		t.Run(name, func(t *testing.T) {
			files, err := iosxe.New().Render(intent())
			if err != nil {
				t.Fatal(err)
			}
			rendertest.Golden(t, name, files)
		})
	}
}

func TestErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		mutate func(*render.Router)
		want   string
	}{
		"passive bfd":                 {func(r *render.Router) { r.Neighbors[1].BFD.Passive = true }, "Neighbors[1] (2001:db8:1::11): BFD.Passive"},
		"gtsm with multihop":          {func(r *render.Router) { r.Neighbors[3].TTLSecurityHops = 1 }, "TTLSecurityHops with EBGPMultihop"},
		"interface name":              {func(r *render.Router) { r.Interfaces[1].Name = "r1-dc2" }, `Interfaces[1].Name "r1-dc2"`},
		"multihop bfd without source": {func(r *render.Router) { r.Neighbors[3].UpdateSource = "" }, "Neighbors[3] (192.0.2.31): BFD: the session is multihop"},
		"two bfd templates on one interface": {func(r *render.Router) {
			r.Neighbors[1].Address = rendertest.Minimal().Neighbors[1].Address
			r.Neighbors[1].BFD = &render.BFD{Profile: "slow", ReceiveInterval: 1000}
		}, "GigabitEthernet1 already uses"},
		"update source": {func(r *render.Router) { r.Neighbors[2].UpdateSource = "192.0.2.1" }, `UpdateSource "192.0.2.1"`},
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
