// Package metrics exports the speaker's Prometheus metrics under MetalLB's names,
// so existing dashboards and alerts keep working:
//
//	metallb_bgp_session_up{peer}                 1 while the session is Established
//	metallb_bgp_updates_total{peer}              route changes (announce, replace, withdraw) sent
//	metallb_bgp_announced_prefixes_total{peer}   prefixes the router has been given
//	metallb_bgp_pending_prefixes_total{peer}     desired changes not applied yet
//	metallb_speaker_announced{service,protocol,node,ip}  1 per Service address this node announces
//	metallb_k8s_client_updates_total             reconciles of the cluster's objects
//	metallb_k8s_client_update_errors_total       reconciles that failed
//	metallb_k8s_client_config_loaded_bool        1 once a valid configuration has loaded
//	metallb_k8s_client_config_stale_bool         1 while the latest configuration is invalid
//
// Names, types, help texts and label sets are MetalLB's native-mode ones (the BGP
// families have only the peer label there; the BFD ones in bfd.go follow its FRR
// mode, the only one with BFD metrics). The peer label is "address:port" as in
// MetalLB. No label or value ever carries a password.
package metrics

import (
	"net"
	"slices"
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bgplb/bgplb/speaker/reconcile"
	"github.com/bgplb/bgplb/speaker/router"
)

// Metrics holds the speaker's collectors.
type Metrics struct {
	node                          string
	sessionUp, announced, pending *prometheus.GaugeVec
	// refused is 1 per peer and reason while the router's OPEN is refused for its
	// AS (router.Refused* codes): why a session_up 0 stays 0.
	refused               *prometheus.GaugeVec
	updates               *prometheus.CounterVec
	services              *prometheus.GaugeVec
	updates8s, updateErrs prometheus.Counter
	loaded, stale         prometheus.Gauge
	mu                    sync.Mutex
	vrf                   map[string]string  // BGPPeer name -> VRF ("" = default)
	peerLabel             map[string]string  // BGPPeer name -> label value
	lastServices          map[[2]string]bool // (service, ip) series set by the previous Observe
	lastPeers             map[string]bool    // peer label values set by the previous Observe
	// up is each peer's last session state by name: session events can come before
	// the first Observe says which address labels the peer.
	up map[string]bool
	// refusedWhy is each peer's current refusal code, by name.
	refusedWhy map[string]string
}

// New registers the collectors on reg.
func New(reg prometheus.Registerer, node string) (*Metrics, error) {
	m := &Metrics{
		node: node, peerLabel: map[string]string{}, lastServices: map[[2]string]bool{}, up: map[string]bool{}, vrf: map[string]string{},
		refusedWhy: map[string]string{},
		refused: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "bgplb", Subsystem: "bgp", Name: "session_refused",
			Help: "1 while the router's OPEN is refused because its AS is not one the BGPPeer accepts (reason: peerASN, dynamicASN-internal, dynamicASN-external)"},
			[]string{"peer", "reason"}),
		sessionUp: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "metallb", Subsystem: "bgp", Name: "session_up",
			Help: "BGP session state (1 is up, 0 is down)"}, []string{"peer"}),
		updates: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "metallb", Subsystem: "bgp", Name: "updates_total",
			Help: "Number of BGP UPDATE messages sent"}, []string{"peer"}),
		announced: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "metallb", Subsystem: "bgp", Name: "announced_prefixes_total",
			Help: "Number of prefixes currently being advertised on the BGP session"}, []string{"peer"}),
		pending: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "metallb", Subsystem: "bgp", Name: "pending_prefixes_total",
			Help: "Number of prefixes that should be advertised on the BGP session"}, []string{"peer"}),
		services: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "metallb", Subsystem: "speaker", Name: "announced",
			Help: "Services being announced from this node. This is desired state, it does not guarantee that the routing protocols have converged."},
			[]string{"service", "protocol", "node", "ip"}),
		updates8s: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "metallb", Subsystem: "k8s_client", Name: "updates_total",
			Help: "Number of k8s object updates that have been processed."}),
		updateErrs: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "metallb", Subsystem: "k8s_client", Name: "update_errors_total",
			Help: "Number of k8s object updates that failed for some reason."}),
		loaded: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "metallb", Subsystem: "k8s_client", Name: "config_loaded_bool",
			Help: "1 if the MetalLB configuration was successfully loaded at least once."}),
		stale: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "metallb", Subsystem: "k8s_client", Name: "config_stale_bool",
			Help: "1 if running on a stale configuration, because the latest config failed to load."}),
	}
	for _, c := range []prometheus.Collector{m.sessionUp, m.updates, m.announced, m.pending, m.services, m.refused,
		m.updates8s, m.updateErrs, m.loaded, m.stale} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Observe updates the per-peer and per-Service metrics from a reconcile Report.
func (m *Metrics) Observe(rep reconcile.Report) {
	m.mu.Lock()
	defer m.mu.Unlock()
	seen := map[string]bool{}
	// One reconcile processes every object update since the previous one.
	m.updates8s.Inc()
	if rep.Err != nil { // as in MetalLB, an invalid configuration is stale, not an update error
		m.updateErrs.Inc()
	}
	m.stale.Set(gauge(!rep.ConfigValid))
	if rep.Config != nil {
		m.loaded.Set(1)
		for _, p := range rep.Config.Peers {
			m.vrf[p.Name] = p.VRF
			if p.Address.IsValid() {
				m.peerLabel[p.Name] = net.JoinHostPort(p.Address.String(), strconv.Itoa(int(p.Port)))
			}
		}
	}
	for _, pr := range rep.Peers {
		l := m.label(pr.Name)
		seen[l] = true
		m.sessionUp.WithLabelValues(l).Set(gauge(m.up[pr.Name]))
		m.setRefused(l, m.refusedWhy[pr.Name])
		m.announced.WithLabelValues(l).Set(float64(pr.Applied))
		m.pending.WithLabelValues(l).Set(float64(pr.Pending))
		if pr.Updates > 0 {
			m.updates.WithLabelValues(l).Add(float64(pr.Updates))
		}
	}
	announced := map[[2]string]bool{}
	for _, d := range rep.Decisions {
		if d.Announced && d.IP.IsValid() && rep.Announced[d.Service] {
			announced[[2]string{d.Service, d.IP.String()}] = true
		}
	}
	// Only the difference from the last report: a series lookup per announced
	// Service on every pass was a tenth of a pass's CPU at 4,000 Services (pprof).
	for k := range announced {
		if !m.lastServices[k] {
			m.services.WithLabelValues(k[0], "bgp", m.node, k[1]).Set(1)
		}
	}
	for k := range m.lastServices {
		if !announced[k] {
			m.services.DeleteLabelValues(k[0], "bgp", m.node, k[1])
		}
	}
	m.lastServices = announced
	for l := range m.lastPeers {
		if !seen[l] { // the node no longer runs this peer: drop its series
			m.announced.DeleteLabelValues(l)
			m.pending.DeleteLabelValues(l)
			m.sessionUp.DeleteLabelValues(l)
			m.refused.DeletePartialMatch(prometheus.Labels{"peer": l})
		}
	}
	m.lastPeers = seen
	for name := range m.up {
		if !slices.ContainsFunc(rep.Peers, func(pr reconcile.PeerReport) bool { return pr.Name == name }) {
			delete(m.up, name)
			delete(m.refusedWhy, name)
		}
	}
}

// Session records a session state change; the series is written under the
// peer's address label once an Observe has given it.
func (m *Metrics) Session(ev router.SessionEvent) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.up[ev.Peer] = ev.State == router.Established
	m.refusedWhy[ev.Peer] = ev.Refused
	if l, ok := m.peerLabel[ev.Peer]; ok && m.lastPeers[l] {
		m.sessionUp.WithLabelValues(l).Set(gauge(m.up[ev.Peer]))
		m.setRefused(l, ev.Refused)
	}
}

// setRefused makes the peer's session_refused series say reason ("" removes it).
func (m *Metrics) setRefused(label, reason string) {
	m.refused.DeletePartialMatch(prometheus.Labels{"peer": label})
	if reason != "" {
		m.refused.WithLabelValues(label, reason).Set(1)
	}
}

// VRF is the VRF label of a BGPPeer's BFD session: its spec.vrf, "default" when
// it has none (FRR's name for the default VRF, which MetalLB's label carries).
func (m *Metrics) VRF(peer string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v := m.vrf[peer]; v != "" {
		return v
	}
	return "default"
}

func gauge(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func (m *Metrics) label(peer string) string {
	if l, ok := m.peerLabel[peer]; ok {
		return l
	}
	return peer
}
