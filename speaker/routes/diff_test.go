package routes

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bgplb/bgplb/config"
)

func TestDiffOfEqualStatesIsEmpty(t *testing.T) {
	r := primaryBackup(64512)
	cfg := mustConfig(t, r)
	want := Desired(cfg, baseNode(), []Service{baseService()}, Options{}).State
	if p := Diff(want, want); !p.Empty() {
		t.Errorf("Diff(desired, desired) = %+v", p)
	}
	// A second computation from the same inputs is equal too (idempotent reconcile).
	again := Desired(cfg, baseNode(), []Service{baseService()}, Options{}).State
	if p := Diff(want, again); !p.Empty() {
		t.Errorf("Diff of two computations = %+v", p)
	}
}

func TestDiffPeersAndRoutes(t *testing.T) {
	cfg := mustConfig(t, primaryBackup(64512))
	svc := baseService()
	running := Desired(cfg, baseNode(), []Service{svc}, Options{}).State

	// router-backup goes away, router-new comes, router-primary's hold time and
	// communities change, and a second service appears.
	r := primaryBackup(64512)
	r.Peers[1] = peer("router-new", 64512, 64512, "192.0.2.3")
	r.Peers[0].Spec.HoldTime = &metav1Duration{Duration: 30 * time.Second}
	r.BGPAdvertisements[0].Spec.Communities = []string{"primary", "64512:999"}
	r.BGPAdvertisements[1].Spec.Peers = []string{"router-new"}
	svc2 := baseService()
	svc2.Key, svc2.IPs = "default/api", ips("198.51.100.11")
	desired := Desired(mustConfig(t, r), baseNode(), []Service{svc, svc2}, Options{}).State

	p := Diff(running, desired)
	if !slices.Equal(p.RemovePeers, []string{"router-backup"}) {
		t.Errorf("RemovePeers = %v", p.RemovePeers)
	}
	if len(p.AddPeers) != 1 || p.AddPeers[0].Name != "router-new" {
		t.Errorf("AddPeers = %+v", p.AddPeers)
	}
	if len(p.UpdatePeers) != 1 || !p.UpdatePeers[0].Reset ||
		!slices.Equal(p.UpdatePeers[0].Changed, []string{"holdTime", "keepaliveTime"}) {
		t.Errorf("UpdatePeers = %+v", p.UpdatePeers)
	}
	var got []string
	for _, rc := range p.Routes {
		for _, x := range rc.Add {
			got = append(got, rc.Peer+" add "+routeKey(x))
		}
		for _, x := range rc.Replace {
			got = append(got, rc.Peer+" replace "+routeKey(x))
		}
		for _, x := range rc.Withdraw {
			got = append(got, rc.Peer+" withdraw "+x.String())
		}
	}
	want := []string{
		"router-new add 198.51.100.10/32 lp=100 c=[65535:65281 large:64512:200:1]",
		"router-new add 198.51.100.11/32 lp=100 c=[65535:65281 large:64512:200:1]",
		"router-primary add 198.51.100.11/32 lp=200 c=[64512:100 64512:999]",
		"router-primary replace 198.51.100.10/32 lp=200 c=[64512:100 64512:999]",
	}
	if !slices.Equal(got, want) {
		t.Errorf("route changes (none for the removed peer: removal withdraws):\n got  %q\n want %q", got, want)
	}
	applied, err := running.Apply(p)
	if err != nil || !applied.Equal(desired) {
		t.Errorf("Apply: err %v, equal %v", err, applied.Equal(desired))
	}
}

// TestSessionChangesClassified: every Session field but Name is classified, and a
// change to it alone is reported under exactly one name.
func TestSessionChangesClassified(t *testing.T) {
	typ := reflect.TypeFor[Session]()
	if len(sessionFields) != typ.NumField()-1 {
		t.Fatalf("sessionFields lists %d fields, Session has %d besides Name", len(sessionFields), typ.NumField()-1)
	}
	noReset := map[string]bool{"connectTime": true, "bfdProfile": true}
	seen := map[string]bool{}
	for i := 1; i < typ.NumField(); i++ {
		a, b := Session{Name: "p"}, Session{Name: "p"}
		f := reflect.ValueOf(&b).Elem().Field(i)
		switch v := f.Addr().Interface().(type) {
		case *uint32:
			*v = 7
		case *uint16:
			*v = 7
		case *string:
			*v = "x"
		case *bool:
			*v = true
		case *time.Duration:
			*v = time.Second
		case *netip.Addr:
			*v = netip.MustParseAddr("192.0.2.9")
		case *config.DynamicASN:
			*v = config.DynamicASNExternal
		case *config.Password:
			*v = config.NewPassword("s3cret")
		default:
			t.Fatalf("field %s: type %T not handled by the test", typ.Field(i).Name, v)
		}
		changed, reset := changes(&a, &b)
		if len(changed) != 1 || seen[changed[0]] {
			t.Errorf("field %s: changed = %v", typ.Field(i).Name, changed)
			continue
		}
		seen[changed[0]] = true
		if reset == noReset[changed[0]] {
			t.Errorf("field %s (%s): reset = %v", typ.Field(i).Name, changed[0], reset)
		}
	}
}

func TestPlanNeverPrintsPassword(t *testing.T) {
	old := Session{Name: "p", Password: config.NewPassword("old-secret")}
	p := Diff(State{Peers: map[string]Peer{"p": {Session: old}}},
		State{Peers: map[string]Peer{"p": {Session: Session{Name: "p", Password: config.NewPassword("new-secret")}}}})
	out := fmt.Sprintf("%v %+v %#v", p, p, p)
	if strings.Contains(out, "secret") || len(p.UpdatePeers) != 1 || !p.UpdatePeers[0].Reset {
		t.Errorf("plan: %s", out)
	}
}

// TestDiffApplyProperty: for random running and desired states, applying
// Diff(running, desired) to running gives desired without error, and the diff of
// a state with itself is empty.
func TestDiffApplyProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 500 {
		running, desired := randomState(rng), randomState(rng)
		if rng.IntN(3) == 0 {
			desired = mutate(rng, running)
		}
		p := Diff(running, desired)
		got, err := running.Apply(p)
		if err != nil {
			t.Fatalf("case %d: Apply: %v", i, err)
		}
		if !got.Equal(desired) {
			t.Fatalf("case %d: Apply(Diff) != desired\nplan %+v", i, p)
		}
		if q := Diff(got, desired); !q.Empty() {
			t.Fatalf("case %d: second Diff not empty: %+v", i, q)
		}
		if p.Empty() != running.Equal(desired) {
			t.Fatalf("case %d: plan empty = %v, states equal = %v", i, p.Empty(), running.Equal(desired))
		}
	}
}

var randomCommunities = []config.Community{
	config.StandardCommunity(64512, 1), config.StandardCommunity(64512, 2), config.LargeCommunity(1, 2, 3),
}

func randomAttrs(rng *rand.Rand) Attrs {
	var cs []config.Community
	for _, c := range randomCommunities {
		if rng.IntN(2) == 0 {
			cs = append(cs, c)
		}
	}
	return Attrs{LocalPref: uint32(rng.IntN(3) * 100), Communities: cs}
}

func randomPrefix(rng *rand.Rand) netip.Prefix {
	if rng.IntN(4) == 0 {
		return netip.PrefixFrom(netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 15: byte(rng.IntN(16))}), 128)
	}
	p, _ := netip.AddrFrom4([4]byte{198, 51, 100, byte(rng.IntN(32))}).Prefix([]int{24, 28, 32}[rng.IntN(3)])
	return p
}

func randomState(rng *rand.Rand) State {
	s := State{Peers: map[string]Peer{}}
	for _, name := range []string{"a", "b", "c", "d"} {
		if rng.IntN(3) == 0 {
			continue
		}
		sess := Session{Name: name, MyASN: 64512, PeerASN: uint32(64512 + rng.IntN(2)), HoldTime: time.Duration(rng.IntN(2)+1) * 90 * time.Second}
		rs := RouteSet{}
		for range rng.IntN(12) {
			rs[randomPrefix(rng)] = randomAttrs(rng)
		}
		s.Peers[name] = Peer{Session: sess, Routes: rs}
	}
	return s
}

func mutate(rng *rand.Rand, s State) State {
	out := s.Clone()
	for name, p := range out.Peers {
		for pfx := range p.Routes {
			switch rng.IntN(4) {
			case 0:
				delete(p.Routes, pfx)
			case 1:
				p.Routes[pfx] = randomAttrs(rng)
			}
		}
		p.Routes[randomPrefix(rng)] = randomAttrs(rng)
		if rng.IntN(4) == 0 {
			p.Session.ConnectTime = time.Second
		}
		out.Peers[name] = p
	}
	return out
}

func TestApplyRejectsInconsistentPlans(t *testing.T) {
	s := State{Peers: map[string]Peer{"a": {Session: Session{Name: "a"}, Routes: RouteSet{}}}}
	pfx := netip.MustParsePrefix("198.51.100.1/32")
	_, err := s.Apply(Plan{
		AddPeers: []Session{{Name: "a"}},
		Routes:   []RouteChanges{{Peer: "a", Withdraw: []netip.Prefix{pfx}}, {Peer: "zz", Add: []Route{{Prefix: pfx}}}},
	})
	for _, want := range []string{`add peer "a"`, "withdraw 198.51.100.1/32", `peer "zz"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
}
