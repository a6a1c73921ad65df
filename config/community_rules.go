package config

import (
	"errors"
	"fmt"
	"strings"

	"github.com/bgplb/bgplb/api/v1beta1"
)

// alias is one named entry of a Community resource.
type alias struct {
	name     string
	value    Community
	valid    bool
	resource string
	index    int
	used     bool
}

// communityResource is one Community resource: its aliases in spec order.
type communityResource struct {
	name    string
	aliases []string
}

const communityHint = `write "A:B" (16-bit numbers), "large:A:B:C" (32-bit numbers) or the name of an alias defined in a Community resource`

// communities validates the Community resources and indexes their aliases.
func (b *builder) communities(items []v1beta1.Community) {
	for _, it := range sortedByName(items, func(c v1beta1.Community) string { return c.Name }) {
		o := ref{KindCommunity, it.Name}
		if b.communityRes[it.Name] != nil {
			b.errorf(o, "metadata.name", "duplicate-name", "give each Community its own name", "another Community is already named %q", it.Name)
			continue
		}
		res := &communityResource{name: it.Name}
		for i, c := range it.Spec.Communities {
			f := idx("spec.communities", i)
			if c.Name == "" {
				// MetalLB accepts it (and stores the alias ""), so an advertisement
				// could even refer to it; say so rather than refuse.
				b.warnf(o, f+".name", "community-name-missing", "give the entry a name that advertisements can refer to",
					"community entry has no name; only an advertisement community \"\" can refer to it")
			}
			if prev, dup := b.aliases[c.Name]; dup {
				b.errorf(o, f+".name", "community-alias-duplicate", "alias names must be unique across all Community resources; rename one",
					"alias %q is already defined in Community %q", c.Name, prev.resource)
				continue
			}
			a := &alias{name: c.Name, resource: it.Name, index: i}
			v, wk, err := parseCommunityValue(c.Value)
			switch {
			case err != nil:
				b.errorf(o, f+".value", "community-value-invalid", communityHint, "invalid community value %q: %v", c.Value, err)
			case wk:
				b.warnWellKnown(o, f+".value", c.Value, v)
			}
			a.value, a.valid = v, err == nil
			b.aliases[c.Name] = a
			res.aliases = append(res.aliases, c.Name)
		}
		b.communityRes[it.Name] = res
	}
}

// parseCommunityValue parses a literal community or a well-known name (reported by wk).
func parseCommunityValue(s string) (c Community, wk bool, err error) {
	c, err = ParseCommunity(s)
	if errors.Is(err, errNotCommunity) {
		if v, ok := WellKnownCommunity(strings.ToLower(s)); ok {
			return v, true, nil
		}
	}
	return c, false, err
}

func (b *builder) warnWellKnown(o ref, field, name string, v Community) {
	b.warnf(o, field, "community-well-known", fmt.Sprintf("write %q instead of %q (MetalLB does not know the name)", v.String(), name),
		"well-known community %q is not MetalLB syntax; bgplb used its RFC value %s", name, v)
}

// resolveCommunity turns one advertisement community into values. It tries, in order:
// an alias, a literal, a well-known name (our addition), then the name of a Community
// resource (our addition), which stands for all of that resource's entries.
func (b *builder) resolveCommunity(o ref, field, s string) []Community {
	if a, ok := b.aliases[s]; ok {
		a.used = true
		if !a.valid {
			return nil // already reported on the Community
		}
		return []Community{a.value}
	}
	v, wk, err := parseCommunityValue(s)
	switch {
	case err == nil && wk:
		b.warnWellKnown(o, field, s, v)
		return []Community{v}
	case err == nil:
		return []Community{v}
	case !errors.Is(err, errNotCommunity):
		b.errorf(o, field, "community-value-invalid", communityHint, "invalid community %q: %v", s, err)
		return nil
	}
	if res, ok := b.communityRes[s]; ok {
		var out []Community
		var shown []string
		for _, name := range res.aliases {
			a := b.aliases[name]
			a.used = true
			if a.valid {
				out = append(out, a.value)
				shown = append(shown, fmt.Sprintf("%s=%s", name, a.value))
			}
		}
		b.warnf(o, field, "community-resource-reference", fmt.Sprintf("list the aliases themselves: %s", strings.Join(res.aliases, ", ")),
			"%q names a Community resource, not an alias; bgplb used all its entries (%s)", s, strings.Join(shown, ", "))
		return out
	}
	b.errorf(o, field, "community-unknown", communityHint, "%q is neither a community value nor a defined alias", s)
	return nil
}

// unusedCommunities warns about aliases no advertisement uses.
func (b *builder) unusedCommunities() {
	for _, a := range b.aliases {
		if a.used {
			continue
		}
		b.warnf(ref{KindCommunity, a.resource}, idx("spec.communities", a.index), "community-unused",
			"refer to it from a BGPAdvertisement's communities, or delete it",
			"alias %q is not used by any BGPAdvertisement", a.name)
	}
}
