package app_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/bgplb/bgplb/api/scheme"
	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
	"github.com/bgplb/bgplb/speaker/app"
	"github.com/bgplb/bgplb/speaker/gobgp"
	"github.com/bgplb/bgplb/speaker/k8s"
	"github.com/bgplb/bgplb/speaker/router"
	"github.com/bgplb/bgplb/testing/nsrig"
)

const (
	ns       = "metallb-system"
	nodeName = "node-1"
	vip      = "198.18.0.5"
)

func contextTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestIntegrationSpeaker runs the speaker (real apiserver, real GoBGP) against a
// real FRR and checks at the router: announce with communities, withdraw on
// endpoint loss (ETP Local), node exclusion and Service delete, BGPPeer status,
// the nodeAssigned event, no password anywhere, routes kept while the apiserver is
// gone, and a prompt withdraw at a non-graceful shutdown.
func TestIntegrationSpeaker(t *testing.T) {
	needLab(t)
	cp := controlPlane(t)
	frr := startFRR(t, fmt.Sprintf(`
router bgp %d
 bgp router-id %s
 no bgp ebgp-requires-policy
 timers bgp 3 9
 neighbor %s remote-as %d
 neighbor %s password %s
`, routerASN, routerIP, speakerIP, speakerASN, speakerIP, labSecret))

	ctx, cancel := contextTimeout(3 * time.Minute)
	defer cancel()
	c := newClient(t, cp.RESTConfig())
	seed(t, ctx, c)

	var logs syncBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	metricsAddr := freeAddr(t)
	f, err := app.Parse([]string{"--node-name", nodeName, "--metrics-addr", metricsAddr, "--reconcile-interval", "100ms"},
		func(string) string { return "" }, io.Discard)
	must(t, err)
	factory := func(ctx context.Context, asn uint32, id netip.Addr) (router.Router, error) {
		return gobgp.New(ctx, gobgp.Config{ASN: asn, RouterID: id, Logger: logger})
	}
	spCtx, spStop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.RunWith(spCtx, f, cp.RESTConfig(), factory, logger) }()
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			spStop()
			<-done
		}
	})
	defer func() {
		if t.Failed() {
			t.Logf("speaker logs:\n%s", logs.String())
		}
	}()

	announced := func() bool { _, ok := frrRoute(t, frr, vip+"/32"); return ok }
	nsrig.WaitFor(t, 30*time.Second, "FRR has the VIP", announced)
	comms, _ := frrRoute(t, frr, vip+"/32")
	if comms != "64512:100" {
		t.Errorf("communities at FRR = %q, want 64512:100", comms)
	}

	t.Run("status", func(t *testing.T) {
		nsrig.WaitFor(t, 20*time.Second, "BGPPeer status shows node-1 Established", func() bool {
			var p v1beta2.BGPPeer
			if c.Get(ctx, types.NamespacedName{Namespace: ns, Name: "router"}, &p) != nil {
				return false
			}
			for _, n := range p.Status.Nodes {
				if n.Node == nodeName && n.Session == "Established" && n.AdvertisedPrefixes == 1 {
					return true
				}
			}
			return false
		})
		var p v1beta2.BGPPeer
		must(t, c.Get(ctx, types.NamespacedName{Namespace: ns, Name: "router"}, &p))
		found := false
		for _, mf := range p.ManagedFields {
			found = found || (mf.Manager == k8s.FieldManager(nodeName) && mf.Subresource == "status")
		}
		if !found {
			t.Errorf("status not written by field manager %s: %+v", k8s.FieldManager(nodeName), p.ManagedFields)
		}
		var cs v1beta1.ConfigurationState
		nsrig.WaitFor(t, 10*time.Second, "ConfigurationState speaker-node-1 Valid", func() bool {
			return c.Get(ctx, types.NamespacedName{Namespace: ns, Name: "speaker-" + nodeName}, &cs) == nil &&
				cs.Status.Result == v1beta1.ConfigurationStateValid
		})
		if cs.Labels[k8s.LabelComponentType] != "speaker" || cs.Labels[k8s.LabelNodeName] != nodeName {
			t.Errorf("ConfigurationState labels %v", cs.Labels)
		}
		nsrig.WaitFor(t, 10*time.Second, "nodeAssigned event", func() bool {
			var evs corev1.EventList
			if c.List(ctx, &evs, client.InNamespace("default")) != nil {
				return false
			}
			for _, e := range evs.Items {
				if e.Reason == k8s.ReasonNodeAssigned && e.InvolvedObject.Name == "web" && strings.Contains(e.Message, nodeName) {
					return true
				}
			}
			return false
		})
		nsrig.WaitFor(t, 10*time.Second, "readyz ok", func() bool {
			resp, err := http.Get("http://" + metricsAddr + "/readyz")
			if err != nil {
				return false
			}
			resp.Body.Close()
			return resp.StatusCode == http.StatusOK
		})
		resp, err := http.Get("http://" + metricsAddr + "/metrics")
		must(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, want := range []string{`metallb_bgp_session_up{peer="` + routerIP + `:179"} 1`,
			`metallb_bgp_announced_prefixes_total{peer="` + routerIP + `:179"} 1`,
			`metallb_speaker_announced{ip="`, `",node="node-1",protocol="bgp",service="default/web"} 1`, "metallb_bgp_updates_total",
			"metallb_k8s_client_updates_total ", "metallb_k8s_client_update_errors_total ",
			"metallb_k8s_client_config_loaded_bool 1", "metallb_k8s_client_config_stale_bool 0"} {
			if !strings.Contains(string(body), want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
		if strings.Contains(string(body), labSecret) {
			t.Error("password in /metrics")
		}
		var evs corev1.EventList
		must(t, c.List(ctx, &evs))
		var peers v1beta2.BGPPeerList
		must(t, c.List(ctx, &peers))
		var states v1beta1.ConfigurationStateList
		must(t, c.List(ctx, &states))
		if dump := fmt.Sprintf("%+v %+v %+v", evs.Items, peers.Items[0].Status, states.Items); strings.Contains(dump, labSecret) {
			t.Errorf("password in events, BGPPeer status or ConfigurationState: %s", dump)
		}
	})

	t.Run("endpoint leaves the node (ETP Local)", func(t *testing.T) {
		setEndpointNode(t, ctx, c, "node-2")
		nsrig.WaitFor(t, 10*time.Second, "withdrawn", func() bool { return !announced() })
		setEndpointNode(t, ctx, c, nodeName)
		nsrig.WaitFor(t, 10*time.Second, "announced again", announced)
	})

	t.Run("node excluded", func(t *testing.T) {
		setNodeLabel(t, ctx, c, "node.kubernetes.io/exclude-from-external-load-balancers", ptr.To(""))
		nsrig.WaitFor(t, 10*time.Second, "withdrawn", func() bool { return !announced() })
		setNodeLabel(t, ctx, c, "node.kubernetes.io/exclude-from-external-load-balancers", nil)
		nsrig.WaitFor(t, 10*time.Second, "announced again", announced)
	})

	t.Run("service deleted", func(t *testing.T) {
		must(t, c.Delete(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "web"}}))
		nsrig.WaitFor(t, 10*time.Second, "withdrawn", func() bool { return !announced() })
		createService(t, ctx, c)
		nsrig.WaitFor(t, 10*time.Second, "announced again", announced)
	})

	t.Run("apiserver gone keeps routes", func(t *testing.T) {
		must(t, cp.Stop())
		shared.cp = nil
		time.Sleep(4 * time.Second) // several reconcile intervals and watch failures
		if !announced() {
			t.Fatal("route withdrawn after the apiserver stopped")
		}
	})

	t.Run("non-graceful shutdown withdraws at once", func(t *testing.T) {
		start := time.Now()
		spStop()
		if err := <-done; err != nil {
			t.Logf("speaker returned: %v", err)
		}
		stopped = true
		nsrig.WaitFor(t, 3*time.Second, "withdrawn at shutdown (not after the 9 s hold time)", func() bool { return !announced() })
		t.Logf("route gone %v after SIGTERM", time.Since(start).Round(time.Millisecond))
	})

	if strings.Contains(logs.String(), labSecret) {
		t.Errorf("password in the speaker's logs")
	}
}

func newClient(t testing.TB, cfg *rest.Config) client.Client {
	t.Helper()
	s, err := scheme.New()
	must(t, err)
	c, err := client.New(cfg, client.Options{Scheme: s})
	must(t, err)
	return c
}
