package k8s

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/record"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/bgplb/bgplb/api/scheme"
	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
	"github.com/bgplb/bgplb/config"
	"github.com/bgplb/bgplb/speaker/reconcile"
	"github.com/bgplb/bgplb/speaker/router"
	"github.com/bgplb/bgplb/speaker/routes"
)

const secretText = "hunter2-md5"

// report runs the real loop on the router fake with a peer whose spec.password is
// the name of a Secret (the config core warns and uses the Secret's key).
func report(t *testing.T, mutate func(*reconcile.Snapshot)) reconcile.Report {
	t.Helper()
	meta := func(n string) metav1.ObjectMeta {
		return metav1.ObjectMeta{Namespace: config.DefaultNamespace, Name: n}
	}
	snap := reconcile.Snapshot{
		Resources: config.Resources{
			Pools:             []v1beta1.IPAddressPool{{ObjectMeta: meta("p"), Spec: v1beta1.IPAddressPoolSpec{Addresses: []string{"198.18.0.0/24"}}}},
			Peers:             []v1beta2.BGPPeer{{ObjectMeta: meta("r"), Spec: v1beta2.BGPPeerSpec{MyASN: 64513, ASN: 64512, Address: "192.0.2.1", Password: "md5"}}},
			BGPAdvertisements: []v1beta1.BGPAdvertisement{{ObjectMeta: meta("a")}},
			Secrets: []corev1.Secret{{ObjectMeta: meta("md5"), Type: corev1.SecretTypeBasicAuth,
				Data: map[string][]byte{"password": []byte(secretText)}}},
		},
		Node: routes.Node{Name: "node-1"},
	}
	if mutate != nil {
		mutate(&snap)
	}
	l, err := reconcile.New(reconcile.Options{Router: router.NewFake(), Source: reconcile.SourceFunc(func() (reconcile.Snapshot, error) { return snap, nil })})
	if err != nil {
		t.Fatal(err)
	}
	rep, _ := l.Reconcile(context.Background())
	return rep
}

func TestPeerEntry(t *testing.T) {
	rep := report(t, nil)
	since := time.Date(2026, 1, 2, 3, 4, 5, 600, time.UTC)
	s := &router.Session{Peer: "r", State: router.Active, Since: since,
		LastError: "no answer to TCP connect: likely TCP MD5 password mismatch (" + secretText + ")"}
	e := PeerEntry("node-1", rep.Peers[0], s, rep.Findings, rep)
	if e.Node != "node-1" || e.Session != "Active" || e.Since.Time != since.Truncate(time.Second) {
		t.Fatalf("entry %+v", e)
	}
	if !strings.Contains(e.LastError, "likely TCP MD5 password mismatch") || !strings.Contains(e.LastError, hintNamesSecret) {
		t.Fatalf("lastError %q lacks the MD5 hint or the passwordSecret hint", e.LastError)
	}
	if strings.Contains(e.LastError, secretText) {
		t.Fatalf("password in status: %q", e.LastError)
	}
	s.State = router.Established
	if e := PeerEntry("node-1", rep.Peers[0], s, nil, rep); e.LastError != "" || e.AdvertisedPrefixes != 0 {
		t.Fatalf("established entry %+v", e)
	}
}

func TestConfigState(t *testing.T) {
	good := report(t, nil)
	st := ConfigState(good)
	if st.Result != v1beta1.ConfigurationStateValid || !strings.Contains(st.InForce, "peers=r") || len(st.Findings) == 0 {
		t.Fatalf("valid state %+v", st)
	}
	bad := report(t, func(s *reconcile.Snapshot) { s.Resources.Pools[0].Spec.Addresses = []string{"x"} })
	st = ConfigState(bad)
	if st.Result != v1beta1.ConfigurationStateInvalid || st.ErrorSummary == "" || !strings.Contains(st.InForce, "none") {
		t.Fatalf("invalid state %+v", st)
	}
	// A literal password the config core quotes in a finding is redacted.
	lit := report(t, func(s *reconcile.Snapshot) {
		s.Resources.Secrets[0].Data = map[string][]byte{}
		s.Resources.Peers[0].Spec.Password = "md5"
	})
	for _, f := range ConfigState(lit).Findings {
		if strings.Contains(f.Message, `"md5" itself`) {
			t.Fatalf("literal password in ConfigurationState: %q", f.Message)
		}
	}
}

func TestObserveEmitsNodeAssigned(t *testing.T) {
	rec := record.NewFakeRecorder(10)
	s, _ := scheme.New()
	p, err := NewPublisher(PublisherOptions{Client: fake.NewClientBuilder().WithScheme(s).WithStatusSubresource(&v1beta1.ConfigurationState{}).Build(), Events: rec, NodeName: "node-1",
		Namespace: config.DefaultNamespace, Sessions: func(context.Context) ([]router.Session, error) { return nil, nil }})
	if err != nil {
		t.Fatal(err)
	}
	p.Observe(reconcile.Report{NewlyAnnounced: []string{"default/web"}})
	p.Observe(reconcile.Report{})
	if got := len(rec.Events); got != 1 {
		t.Fatalf("%d events, want 1", got)
	}
	if ev := <-rec.Events; ev != `Normal nodeAssigned announcing from node "node-1" with protocol "bgp"` {
		t.Fatalf("event %q", ev)
	}
	// The ConfigurationState is created and written once for an unchanged report.
	if err := p.Write(context.Background()); err != nil {
		t.Fatal(err)
	}
	var cs v1beta1.ConfigurationState
	if err := p.o.Client.Get(context.Background(), clientKey(config.DefaultNamespace, "speaker-node-1"), &cs); err != nil ||
		cs.Labels[LabelComponentType] != "speaker" || cs.Labels[LabelNodeName] != "node-1" {
		t.Fatalf("ConfigurationState %+v: %v", cs, err)
	}
}

func clientKey(ns, name string) types.NamespacedName {
	return types.NamespacedName{Namespace: ns, Name: name}
}
