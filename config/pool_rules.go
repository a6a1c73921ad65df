package config

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/bgplb/bgplb/api/v1beta1"
)

// pools validates every IPAddressPool and fills b.cfg.Pools, sorted by name.
func (b *builder) pools(items []v1beta1.IPAddressPool) {
	type placed struct {
		prefix netip.Prefix
		pool   string
		entry  int
	}
	var all []placed
	for _, it := range sortedByName(items, func(p v1beta1.IPAddressPool) string { return p.Name }) {
		o := ref{KindIPAddressPool, it.Name}
		if b.poolByName[it.Name] != nil {
			b.errorf(o, "metadata.name", "duplicate-name", "give each IPAddressPool its own name",
				"another IPAddressPool is already named %q", it.Name)
			continue
		}
		p := &Pool{Name: it.Name, AutoAssign: true, AvoidBuggyIPs: it.Spec.AvoidBuggyIPs, labels: labels.Set(it.Labels)}
		if it.Spec.AutoAssign != nil {
			p.AutoAssign = *it.Spec.AutoAssign
		}
		if len(it.Spec.Addresses) == 0 {
			b.errorf(o, "spec.addresses", "pool-empty", `list at least one CIDR ("198.51.100.0/24") or range ("198.51.100.10-198.51.100.20")`,
				"the pool has no addresses")
		}
		for i, text := range it.Spec.Addresses {
			f := idx("spec.addresses", i)
			pfxs, masked, err := parseAddresses(text)
			if errors.Is(err, errMixedRange) {
				b.warnf(o, f, "pool-range-mixed", `write a range of one family ("198.51.100.10-198.51.100.20")`,
					"range %q mixes IPv4 and IPv6; accepted as MetalLB does, but it adds no address to the pool", text)
				err = nil
			}
			if err != nil {
				b.errorf(o, f, "pool-address-invalid", `write a CIDR ("198.51.100.0/24") or a range of one family ("198.51.100.10-198.51.100.20")`,
					"invalid address entry %q: %v", text, err)
				continue
			}
			if masked {
				b.warnf(o, f, "pool-address-host-bits", fmt.Sprintf("write %s", pfxs[0]),
					"%q has host bits set; the pool uses %s", text, pfxs[0])
			}
			for _, x := range pfxs {
				for _, q := range all {
					if !x.Overlaps(q.prefix) {
						continue
					}
					where := fmt.Sprintf("IPAddressPool %q entry %d", q.pool, q.entry)
					if q.pool == it.Name {
						where = fmt.Sprintf("entry %d of this pool", q.entry)
					}
					b.errorf(o, f, "pool-overlap", "give every pool entry addresses no other entry has",
						"%s overlaps %s of %s", text, q.prefix, where)
				}
			}
			for _, x := range pfxs {
				all = append(all, placed{x, it.Name, i})
			}
			p.Prefixes = append(p.Prefixes, pfxs...)
			p.entries = append(p.entries, poolEntry{text: text, prefixes: pfxs})
		}
		if a := it.Spec.AllocateTo; a != nil {
			p.Allocation = b.allocation(o, a)
		}
		b.poolByName[it.Name] = p
		b.cfg.Pools = append(b.cfg.Pools, p)
	}
}

func (b *builder) allocation(o ref, a *v1beta1.ServiceAllocation) *ServiceAllocation {
	out := &ServiceAllocation{Priority: a.Priority}
	for i, ns := range a.Namespaces {
		if slices.Index(a.Namespaces, ns) != i {
			b.errorf(o, idx("spec.serviceAllocation.namespaces", i), "duplicate-entry", "list each namespace once",
				"namespace %q is listed more than once", ns)
			continue
		}
		out.Namespaces = append(out.Namespaces, ns)
	}
	slices.Sort(out.Namespaces)
	out.NamespaceSelectors = b.selectors(o, "spec.serviceAllocation.namespaceSelectors", a.NamespaceSelectors)
	out.ServiceSelectors = b.selectors(o, "spec.serviceAllocation.serviceSelectors", a.ServiceSelectors)
	return out
}

// parseAddresses parses one spec.addresses entry: a CIDR or an "A-B" range. masked
// reports a CIDR written with host bits set (MetalLB silently masks those).
func parseAddresses(s string) (pfxs []netip.Prefix, masked bool, err error) {
	from, to, isRange := strings.Cut(s, "-")
	if !isRange {
		p, err := netip.ParsePrefix(strings.TrimSpace(s))
		if err != nil {
			return nil, false, err
		}
		p = unmapPrefix(p)
		return []netip.Prefix{p.Masked()}, p != p.Masked(), nil
	}
	start, err := parseAddr(strings.TrimSpace(from))
	if err != nil {
		return nil, false, fmt.Errorf("range start: %w", err)
	}
	end, err := parseAddr(strings.TrimSpace(to))
	if err != nil {
		return nil, false, fmt.Errorf("range end: %w", err)
	}
	if start.Is4() != end.Is4() {
		// MetalLB compares the 16-byte forms: a start after the end is refused, and
		// otherwise the entry summarizes to nothing and adds no address.
		if start.As16() != end.As16() && bytesLess(end.As16(), start.As16()) {
			return nil, false, fmt.Errorf("range start %s is after its end %s", start, end)
		}
		return nil, false, errMixedRange
	}
	if end.Less(start) {
		return nil, false, fmt.Errorf("range start %s is after its end %s", start, end)
	}
	return summarize(start, end), false, nil
}

// errMixedRange marks a range whose ends are of different families: accepted, as by
// MetalLB, but it holds no address.
var errMixedRange = errors.New("range mixes IPv4 and IPv6")

func bytesLess(a, b [16]byte) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// unmapPrefix turns an IPv4-mapped IPv6 prefix (::ffff:a.b.c.d/n, n >= 96) into the
// IPv4 prefix it covers, as MetalLB's net.ParseCIDR does, so that it overlaps the
// IPv4 pools it should.
func unmapPrefix(p netip.Prefix) netip.Prefix {
	if !p.Addr().Is4In6() || p.Bits() < 96 {
		return p
	}
	return netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
}

// parseAddr parses an address without a zone, unmapping IPv4-in-IPv6 so that
// "::ffff:192.0.2.1" and "192.0.2.1" are the same address, as net.ParseIP treats them.
func parseAddr(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, err
	}
	if a.Zone() != "" {
		return netip.Addr{}, fmt.Errorf("%q: zones are not allowed", s)
	}
	return a.Unmap(), nil
}

// summarize returns the fewest CIDRs that cover exactly start..end (start <= end,
// same family): at each step, the largest aligned block that starts at start and
// does not pass end.
func summarize(start, end netip.Addr) []netip.Prefix {
	var out []netip.Prefix
	for {
		var block netip.Prefix
		for bits := 0; bits <= start.BitLen(); bits++ {
			p := netip.PrefixFrom(start, bits)
			if p.Masked().Addr() == start && !end.Less(lastAddr(p)) {
				block = p
				break
			}
		}
		out = append(out, block)
		last := lastAddr(block)
		if last == end {
			return out
		}
		start = last.Next()
	}
}

// lastAddr returns the highest address of a masked prefix.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}
