package netns

import (
	"context"
	"fmt"
	"strings"
)

// partition cuts (or heals) a site off from the rest of the lab. A veth link with one
// end inside the site and one outside goes down on both ends. A bridge shared by both
// sides is split: the inside nodes' host ports move to a partition bridge ("p" instead
// of the bridge's "b"), so inside nodes still reach each other and outside nodes each
// other, but not across. Heal moves the ports back and removes the partition bridge.
func (b *Backend) partition(ctx context.Context, s *state, site string, cut bool) error {
	inside := map[string]bool{}
	for _, n := range s.Nodes {
		if n.Site == site {
			inside[n.Name] = true
		}
	}
	if len(inside) == 0 {
		return fmt.Errorf("no node is in site %q", site)
	}
	var host strings.Builder
	for _, l := range s.Links {
		var in, out []linkEnd
		for _, e := range l.Ends {
			if inside[e.Node] {
				in = append(in, e)
			} else {
				out = append(out, e)
			}
		}
		if len(in) == 0 || len(out) == 0 {
			continue
		}
		if l.Bridge == "" {
			for _, e := range l.Ends {
				n, err := s.node(e.Node)
				if err != nil {
					return err
				}
				if _, err := b.run(ctx, "ip", "-n", n.Namespace, "link", "set", "dev", e.Interface, upDown(!cut)); err != nil {
					return err
				}
			}
			continue
		}
		pb := "p" + strings.TrimPrefix(l.Bridge, "b")
		if cut {
			if err := b.recordBridge(s, pb); err != nil {
				return err
			}
			fmt.Fprintf(&host, "link add name %s type bridge stp_state 0 forward_delay 0\nlink set dev %s addrgenmode none up\n", pb, pb)
		}
		for _, e := range in {
			target := pb
			if !cut {
				target = l.Bridge
			}
			fmt.Fprintf(&host, "link set dev %s master %s\n", e.HostName, target)
		}
		if !cut {
			fmt.Fprintf(&host, "link del dev %s\n", pb)
		}
	}
	return b.batch(ctx, "", host.String())
}

// recordBridge adds a bridge to the state before it is created.
func (b *Backend) recordBridge(s *state, name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if addUnique(&s.Bridges, name) {
		return s.save()
	}
	return nil
}

func upDown(up bool) string {
	if up {
		return "up"
	}
	return "down"
}
