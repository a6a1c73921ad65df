package frr

import (
	"fmt"
	"strings"
	"testing"
)

func TestEnabledDaemons(t *testing.T) {
	got := enabledDaemons([]byte("bgpd=yes\nzebra=yes\nospfd=no\nvtysh_enable=yes\nzebra_options=\"  -A 127.0.0.1 -s 90000000\"\n#bfdd=yes\n"))
	if s, want := fmt.Sprint(got), "[[zebra -A 127.0.0.1 -s 90000000] [bgpd]]"; s != want {
		t.Errorf("enabledDaemons: %s, want %s", s, want)
	}
}

func TestCLIPointsVtyshAtTheInstance(t *testing.T) {
	for in, want := range map[string]string{
		"vtysh -c show bgp summary": "vtysh -N lab-r1 -c show bgp summary",
		"vtysh -N other -c x":       "vtysh -N other -c x",
		"ip route":                  "ip route",
	} {
		if got := strings.Join(daemon{}.CLI("lab-r1", strings.Fields(in)), " "); got != want {
			t.Errorf("CLI(%s) = %s, want %s", in, got, want)
		}
	}
}
