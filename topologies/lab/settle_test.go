package lab

import "testing"

func TestRoutersEstablished(t *testing.T) {
	up := SessionStatus{Kind: "ibgp", State: "Established"}
	for _, c := range []struct {
		name string
		in   []SessionStatus
		want bool
	}{
		{"all up", []SessionStatus{up, {Kind: "ebgp", State: "Established"}}, true},
		{"speaker sessions do not count", []SessionStatus{up, {Kind: "speaker", State: "Connect"}}, true},
		{"one router session connecting", []SessionStatus{up, {Kind: "ebgp", State: "Active"}}, false},
		{"missing session", []SessionStatus{{Kind: "ibgp", State: StateMissing}}, false},
	} {
		if got := routersEstablished(&Status{Sessions: c.in}); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}
