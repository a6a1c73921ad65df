package config

import (
	"cmp"
	"net/netip"
	"slices"
	"strconv"

	corev1 "k8s.io/api/core/v1"
)

// Config is the validated, resolved configuration: what the allocator, the speaker
// and BFD act on. Every list is sorted by name so that output never depends on the
// order objects arrived in. A Config is read-only once For returns it.
type Config struct {
	// Namespace is the product namespace the configuration was read from.
	Namespace string
	// Pools are the address pools, sorted by name.
	Pools []*Pool
	// Peers are the BGP peers (v1beta2 and converted v1beta1), sorted by name.
	Peers []*Peer
	// Advertisements are the BGP advertisements, sorted by name.
	Advertisements []*Advertisement
	// BFDProfiles are the BFD profiles with defaults filled in, sorted by name.
	BFDProfiles []*BFDProfile
}

// Pool returns the named pool, or nil.
func (c *Config) Pool(name string) *Pool {
	return find(c.Pools, name, func(p *Pool) string { return p.Name })
}

// Peer returns the named peer, or nil.
func (c *Config) Peer(name string) *Peer {
	return find(c.Peers, name, func(p *Peer) string { return p.Name })
}

// BFDProfile returns the named BFD profile, or nil.
func (c *Config) BFDProfile(name string) *BFDProfile {
	return find(c.BFDProfiles, name, func(p *BFDProfile) string { return p.Name })
}

// Advertisement returns the named BGP advertisement, or nil.
func (c *Config) Advertisement(name string) *Advertisement {
	return find(c.Advertisements, name, func(a *Advertisement) string { return a.Name })
}

// PoolFor returns the pool that contains addr, or nil.
func (c *Config) PoolFor(addr netip.Addr) *Pool {
	for _, p := range c.Pools {
		if p.Contains(addr) {
			return p
		}
	}
	return nil
}

// For validates r and resolves it into a Config. It returns every finding at once,
// sorted; the Config is nil exactly when the findings hold an error. Objects outside
// opts.Namespace are ignored with a warning; objects with no namespace (manifests
// written without one) are taken to be in it.
func For(r Resources, opts Options) (*Config, Findings) {
	b := newBuilder(r, opts)
	b.bfdProfiles(b.res.BFDProfiles)
	b.pools(b.res.Pools)
	b.peers(b.res.Peers, b.res.LegacyPeers)
	b.communities(b.res.Communities)
	b.advertisements(b.res.BGPAdvertisements)
	b.crossCheck(b.res.L2Advertisements)
	fs := b.fs.Sorted()
	if fs.HasErrors() {
		return nil, fs
	}
	return b.cfg, fs
}

// builder carries the state of one For call: the filtered resources, the Config
// being built and indexes the rules look names up in.
type builder struct {
	report
	ns           string
	res          Resources
	cfg          *Config
	secrets      map[string]corev1.Secret
	poolByName   map[string]*Pool
	peerByName   map[string]*Peer
	bfdByName    map[string]*BFDProfile
	aliases      map[string]*alias
	communityRes map[string]*communityResource
}

func newBuilder(r Resources, opts Options) *builder {
	ns := cmp.Or(opts.Namespace, DefaultNamespace)
	b := &builder{
		ns:           ns,
		cfg:          &Config{Namespace: ns},
		secrets:      map[string]corev1.Secret{},
		poolByName:   map[string]*Pool{},
		peerByName:   map[string]*Peer{},
		bfdByName:    map[string]*BFDProfile{},
		aliases:      map[string]*alias{},
		communityRes: map[string]*communityResource{},
	}
	b.res = b.inNamespace(r)
	for _, s := range r.Secrets {
		// Secrets elsewhere are not ours to read; they are skipped without a warning
		// because snapshots and manifest sets routinely hold unrelated Secrets.
		if s.Namespace == "" || s.Namespace == ns {
			if _, dup := b.secrets[s.Name]; !dup {
				b.secrets[s.Name] = s
			}
		}
	}
	return b
}

// sortedByName returns a copy of items sorted by name; equal names keep their order,
// so that "the second one" of a duplicate is well defined.
func sortedByName[T any](items []T, name func(T) string) []T {
	out := slices.Clone(items)
	slices.SortStableFunc(out, func(a, b T) int { return cmp.Compare(name(a), name(b)) })
	return out
}

func find[T any](items []T, name string, key func(T) string) T {
	i, ok := slices.BinarySearchFunc(items, name, func(it T, n string) int { return cmp.Compare(key(it), n) })
	if !ok {
		var zero T
		return zero
	}
	return items[i]
}

func itoa(v uint32) string { return strconv.FormatUint(uint64(v), 10) }
