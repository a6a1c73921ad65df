package netns

import (
	"errors"
	"net/netip"
)

type netipAddr = netip.Addr

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func mustAddr(s string) netip.Addr     { return netip.MustParseAddr(s) }

var errNoMD5 = errors.New("protocol not available")
