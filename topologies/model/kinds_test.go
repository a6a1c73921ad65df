package model

// testKinds stands in for the kind registry's names (topologies/kinds): the model is
// pure and below the registry, so its tests name the kinds they use.
var testKinds = []string{"bird", "ceos", "frr", "gobgp", "iosxe", "openbgpd", "vyos"}
