package gobgp

import (
	"strings"
	"testing"
)

func TestCLIPointsGobgpAtTheAPI(t *testing.T) {
	for in, want := range map[string]string{
		"gobgp neighbor":          "gobgp -u 127.0.0.1 -p 50051 neighbor",
		"gobgp -p 50052 neighbor": "gobgp -p 50052 neighbor",
		"ip route":                "ip route",
	} {
		if got := strings.Join(daemon{}.CLI(apiAddress, strings.Fields(in)), " "); got != want {
			t.Errorf("CLI(%s) = %s, want %s", in, got, want)
		}
	}
}
