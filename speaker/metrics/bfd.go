package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/bgplb/bgplb/speaker/bfd"
	"github.com/bgplb/bgplb/speaker/bfdio"
)

// BFD exports the BFD sessions under MetalLB's names (its FRR mode exports them
// from bfdd), read from the sessions at scrape time so a removed session's
// series disappear with it:
//
//	metallb_bfd_session_up{peer,vrf}              1 while the session is Up
//	metallb_bfd_control_packet_input{peer,vrf}    control packets accepted
//	metallb_bfd_control_packet_output{peer,vrf}   control packets sent
//	metallb_bfd_echo_packet_input{peer,vrf}       always 0: no echo function
//	metallb_bfd_echo_packet_output{peer,vrf}      always 0: no echo function
//	metallb_bfd_session_up_events{peer,vrf}       transitions to Up
//	metallb_bfd_session_down_events{peer,vrf}     transitions out of Up
//	metallb_bfd_zebra_notifications{peer,vrf}     always 0: there is no zebra
//
// The peer label is the router's bare address and vrf the BGPPeer's VRF
// ("default" without one), as in MetalLB's FRR mode. The echo and zebra counters
// are exported as the true 0 so dashboards summing them find the series.
type BFD struct {
	sessions func() []bfdio.Status
	vrf      func(peer string) string
}

var (
	bfdUp       = bfdDesc("session_up", "BFD session state (1 is up, 0 is down)")
	bfdIn       = bfdDesc("control_packet_input", "Number of received BFD control packets")
	bfdOut      = bfdDesc("control_packet_output", "Number of sent BFD control packets")
	bfdUpEvents = bfdDesc("session_up_events", "Number of BFD session up events")
	bfdDnEvents = bfdDesc("session_down_events", "Number of BFD session down events")
	bfdEchoIn   = bfdDesc("echo_packet_input", "Number of received BFD echo packets")
	bfdEchoOut  = bfdDesc("echo_packet_output", "Number of sent BFD echo packets")
	bfdZebra    = bfdDesc("zebra_notifications", "Number of BFD zebra notifications")
)

func bfdDesc(name, help string) *prometheus.Desc {
	return prometheus.NewDesc(prometheus.BuildFQName("metallb", "bfd", name), help, []string{"peer", "vrf"}, nil)
}

// NewBFD registers a collector over sessions (bfdio.Manager.Sessions) on reg;
// vrf gives a session's VRF label from its peer name (Metrics.VRF).
func NewBFD(reg prometheus.Registerer, sessions func() []bfdio.Status, vrf func(peer string) string) (*BFD, error) {
	b := &BFD{sessions: sessions, vrf: vrf}
	if err := reg.Register(b); err != nil {
		return nil, err
	}
	return b, nil
}

// Describe implements prometheus.Collector.
func (b *BFD) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{bfdUp, bfdIn, bfdOut, bfdUpEvents, bfdDnEvents, bfdEchoIn, bfdEchoOut, bfdZebra} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (b *BFD) Collect(ch chan<- prometheus.Metric) {
	for _, s := range b.sessions() {
		peer, vrf := s.PeerAddr.String(), b.vrf(s.Peer)
		up := 0.0
		if s.State == bfd.Up {
			up = 1
		}
		ch <- prometheus.MustNewConstMetric(bfdUp, prometheus.GaugeValue, up, peer, vrf)
		for d, v := range map[*prometheus.Desc]uint64{bfdIn: s.ControlIn, bfdOut: s.ControlOut, bfdUpEvents: s.UpEvents,
			bfdDnEvents: s.DownEvents, bfdEchoIn: 0, bfdEchoOut: 0, bfdZebra: 0} {
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), peer, vrf)
		}
	}
}
