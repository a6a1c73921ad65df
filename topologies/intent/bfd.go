package intent

import (
	"fmt"
	"sort"
)

// BFDProfile is a named set of BFD parameters shared by the sessions that use it.
type BFDProfile struct {
	Name string
	BFD
	// Multihop is true when any session using the profile is multihop (EBGPMultihop > 0).
	Multihop bool
}

// BFDProfiles collects the distinct BFD profiles of r's neighbors, sorted by name, and
// the profile name of each neighbor index (absent: no BFD). A neighbor without a
// profile name gets one derived from its parameters, so equal settings share a profile;
// two neighbors using one name with different settings is an error.
func BFDProfiles(r Router) ([]BFDProfile, map[int]string, error) {
	byName := map[string]*BFDProfile{}
	names := map[int]string{}
	for i, n := range r.Neighbors {
		if n.BFD == nil {
			continue
		}
		b := *n.BFD
		name := b.Profile
		if name == "" {
			name = fmt.Sprintf("bfd-%d-%d-%d", b.ReceiveInterval, b.TransmitInterval, b.DetectMultiplier)
			if b.Passive {
				name += "-passive"
			}
			if b.MinimumTTL != 0 {
				name += fmt.Sprintf("-ttl%d", b.MinimumTTL)
			}
		}
		b.Profile = name
		p, seen := byName[name]
		if !seen {
			p = &BFDProfile{Name: name, BFD: b}
			byName[name] = p
		} else if p.BFD != b {
			return nil, nil, fmt.Errorf("%s: BFD.Profile %q: used with different settings by two neighbors; give each setting its own profile name", Who(r, i), name)
		}
		p.Multihop = p.Multihop || n.EBGPMultihop > 0
		names[i] = name
	}
	out := make([]BFDProfile, 0, len(byName))
	for _, p := range byName {
		out = append(out, *p)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Name < out[b].Name })
	return out, names, nil
}
