// Package config turns MetalLB configuration objects into one validated, resolved
// Config, the single source of truth for the controller's allocator, the speaker and
// its BFD, and for `bgplb lint`.
//
// For takes a Resources snapshot (IPAddressPools, BGPPeers of both API versions,
// BGPAdvertisements, L2Advertisements, Communities, BFDProfiles, plus the Secrets,
// Nodes and Namespaces they refer to) and returns the Config together with every
// Finding at once: errors that make the configuration unusable and warnings that
// say what bgplb accepted and how to write it properly. The Config is nil exactly
// when there is an error, so a consumer never acts on half a configuration.
//
// The rules are MetalLB's (pools, peers, timers, passwords, advertisements,
// communities, BFD profiles, namespaces), re-implemented from its documented
// behaviour, plus warnings for mistakes common in published guides: well-known
// community names, a Community resource named where an alias is expected, a
// localPref that only reaches eBGP peers, a Secret's name written into password,
// deprecated API versions and annotations, and objects nothing uses.
//
// Resolution fills in everything consumers would otherwise recompute: "A-B" ranges
// become CIDRs (net/netip), timers get MetalLB's defaults and derivations, community
// aliases become typed Community values, selectors become labels.Selectors, BFD
// profiles get their defaults and peer passwords are read from Secrets into a
// Password type that never prints. Every list is sorted by name and findings are
// sorted, so output does not depend on input order.
//
// The package is pure: standard library, apimachinery and API types only. It opens no
// files or sockets and logs nothing (testing/archtest enforces this).
package config
