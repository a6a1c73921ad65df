package reconcile

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
	"github.com/bgplb/bgplb/config"
	"github.com/bgplb/bgplb/speaker/router"
	"github.com/bgplb/bgplb/speaker/routes"
)

const (
	node     = "node-1"
	password = "s3cr3t-md5-key"
)

// counting wraps the router fake and counts every call, so tests can prove a pass
// made no call at all.
type counting struct {
	*router.Fake
	calls atomic.Int64
	mu    sync.Mutex
	log   []string
}

func newCounting() *counting { return &counting{Fake: router.NewFake()} }

func (c *counting) note(s string) {
	c.calls.Add(1)
	c.mu.Lock()
	c.log = append(c.log, s)
	c.mu.Unlock()
}

func (c *counting) SetPeers(ctx context.Context, ps []router.Peer) error {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	c.note(fmt.Sprintf("SetPeers%v", names))
	return c.Fake.SetPeers(ctx, ps)
}

func (c *counting) SetRoutes(ctx context.Context, peer string, rs []router.Route) error {
	c.note(fmt.Sprintf("SetRoutes(%s,%d)", peer, len(rs)))
	return c.Fake.SetRoutes(ctx, peer, rs)
}

func (c *counting) UpdateRoutes(ctx context.Context, peer string, set []router.Route, withdraw []netip.Prefix) error {
	c.note(fmt.Sprintf("UpdateRoutes(%s,+%d,-%d)", peer, len(set), len(withdraw)))
	return c.Fake.UpdateRoutes(ctx, peer, set, withdraw)
}

func (c *counting) Close(ctx context.Context, graceful bool) error {
	c.note(fmt.Sprintf("Close(%t)", graceful))
	return c.Fake.Close(ctx, graceful)
}

func (c *counting) calls0() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.log
	c.log = nil
	return out
}

// source is a mutable snapshot source for tests.
type source struct {
	mu    sync.Mutex
	snap  Snapshot
	err   error
	reads atomic.Int64
}

func (s *source) Snapshot() (Snapshot, error) {
	s.reads.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snap, s.err
}

func (s *source) set(f func(*Snapshot)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(&s.snap)
}

func meta(name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: config.DefaultNamespace}
}

func peer(name, addr string, gr bool) v1beta2.BGPPeer {
	return v1beta2.BGPPeer{ObjectMeta: meta(name), Spec: v1beta2.BGPPeerSpec{
		MyASN: 64513, ASN: 64512, Address: addr, EnableGracefulRestart: gr}}
}

// baseSnapshot: one pool, one peer with an MD5 password, one advertisement with a
// community, this node, and one Service with a ready endpoint elsewhere.
func baseSnapshot() Snapshot {
	p := peer("router-a", "192.0.2.1", false)
	p.Spec.Password = password
	return Snapshot{
		Resources: config.Resources{
			Pools: []v1beta1.IPAddressPool{{ObjectMeta: meta("pool-a"), Spec: v1beta1.IPAddressPoolSpec{Addresses: []string{"198.18.0.0/15"}}}},
			Peers: []v1beta2.BGPPeer{p},
			BGPAdvertisements: []v1beta1.BGPAdvertisement{{ObjectMeta: meta("adv-a"),
				Spec: v1beta1.BGPAdvertisementSpec{Communities: []string{"64512:100"}}}},
			Secrets: []corev1.Secret{},
		},
		Node:     routes.Node{Name: node, Labels: labels.Set{"kubernetes.io/hostname": node}},
		Services: []routes.Service{service("default/web", "198.18.0.10")},
	}
}

func service(key, ip string) routes.Service {
	return routes.Service{Key: key, IPs: []netip.Addr{netip.MustParseAddr(ip)}, TrafficPolicy: routes.TrafficCluster,
		Endpoints: []routes.Endpoint{{Node: "node-2", Address: "10.0.0.1", Ready: true}}}
}

func newLoop(t testing.TB, r router.Router, src Source, mod ...func(*Options)) *Loop {
	t.Helper()
	o := Options{Router: r, Source: src}
	for _, m := range mod {
		m(&o)
	}
	l, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func prefixes(rs []router.Route) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Prefix.String()
	}
	return out
}

type v1beta2BGPPeer = v1beta2.BGPPeer

// fmtReport prints a report the way a careless caller might (%+v of everything).
func fmtReport(r Report) string {
	out := fmt.Sprintf("%+v %v", r, r.Findings)
	if r.Config != nil {
		for _, p := range r.Config.Peers {
			out += fmt.Sprintf(" %+v %#v", *p, *p)
		}
	}
	return out
}
