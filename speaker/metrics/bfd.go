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
//	metallb_bfd_session_up{peer}              1 while the session is Up
//	metallb_bfd_control_packet_input{peer}    control packets accepted
//	metallb_bfd_control_packet_output{peer}   control packets sent
//	metallb_bfd_session_up_events{peer}       transitions to Up
//	metallb_bfd_session_down_events{peer}     transitions out of Up
//
// The peer label is the router's address, as in MetalLB. Echo counters are not
// exported: this speaker sends no echo packets and receives none of its own.
type BFD struct {
	sessions func() []bfdio.Status
}

var (
	bfdUp       = bfdDesc("session_up", "BFD session state (1 is up, 0 is down)")
	bfdIn       = bfdDesc("control_packet_input", "Number of received BFD control packets")
	bfdOut      = bfdDesc("control_packet_output", "Number of sent BFD control packets")
	bfdUpEvents = bfdDesc("session_up_events", "Number of BFD session up events")
	bfdDnEvents = bfdDesc("session_down_events", "Number of BFD session down events")
)

func bfdDesc(name, help string) *prometheus.Desc {
	return prometheus.NewDesc(prometheus.BuildFQName("metallb", "bfd", name), help, []string{"peer"}, nil)
}

// NewBFD registers a collector over sessions (bfdio.Manager.Sessions) on reg.
func NewBFD(reg prometheus.Registerer, sessions func() []bfdio.Status) (*BFD, error) {
	b := &BFD{sessions: sessions}
	if err := reg.Register(b); err != nil {
		return nil, err
	}
	return b, nil
}

// Describe implements prometheus.Collector.
func (b *BFD) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{bfdUp, bfdIn, bfdOut, bfdUpEvents, bfdDnEvents} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (b *BFD) Collect(ch chan<- prometheus.Metric) {
	for _, s := range b.sessions() {
		peer := s.PeerAddr.String()
		up := 0.0
		if s.State == bfd.Up {
			up = 1
		}
		ch <- prometheus.MustNewConstMetric(bfdUp, prometheus.GaugeValue, up, peer)
		ch <- prometheus.MustNewConstMetric(bfdIn, prometheus.CounterValue, float64(s.ControlIn), peer)
		ch <- prometheus.MustNewConstMetric(bfdOut, prometheus.CounterValue, float64(s.ControlOut), peer)
		ch <- prometheus.MustNewConstMetric(bfdUpEvents, prometheus.CounterValue, float64(s.UpEvents), peer)
		ch <- prometheus.MustNewConstMetric(bfdDnEvents, prometheus.CounterValue, float64(s.DownEvents), peer)
	}
}
