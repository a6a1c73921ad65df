package status

import (
	"github.com/bgplb/bgplb/internal/snapshot"
	"github.com/bgplb/bgplb/speaker/routes"
)

// NoteConfigInvalid is a Service's note when the configuration has errors: the
// speakers keep announcing from the last valid configuration, which the cluster's
// objects no longer hold, so nothing can be said about the decisions.
const NoteConfigInvalid = "configuration invalid: the speakers keep the last valid configuration, which cannot be read back"

// services gives every Service its decisions from every node, in node order, then
// in the order routes.Desired gives them (address, then peer).
func services(s *snapshot.Snapshot, ev snapshot.Evaluation) []Service {
	out := make([]Service, 0, len(s.Services))
	index := make(map[string]int, len(s.Services))
	for _, svc := range s.Services {
		r := Service{Name: svc.Key, IPs: []string{}, Pool: svc.Pool, TrafficPolicy: string(svc.TrafficPolicy),
			Announced: []Decision{}, NotAnnounced: []Decision{}}
		for _, ip := range svc.IPs {
			r.IPs = append(r.IPs, ip.String())
		}
		if ev.Config == nil {
			r.Note = NoteConfigInvalid
		}
		index[svc.Key] = len(out)
		out = append(out, r)
	}
	if ev.Config == nil {
		return out
	}
	for _, node := range s.NodeNames() {
		for _, d := range ev.Nodes[node].Decisions {
			i, ok := index[d.Service]
			if !ok {
				continue
			}
			dec := decision(node, d)
			if d.Announced {
				out[i].Announced = append(out[i].Announced, dec)
			} else {
				out[i].NotAnnounced = append(out[i].NotAnnounced, dec)
			}
		}
	}
	return out
}

func decision(node string, d routes.Decision) Decision {
	out := Decision{Node: node, Peer: d.Peer, Reason: d.Reason, Advertisement: d.Advertisement}
	if d.IP.IsValid() {
		out.IP = d.IP.String()
	}
	return out
}
