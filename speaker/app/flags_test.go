package app

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/bgplb/bgplb/speaker/router"
)

func TestParse(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "NODE_NAME" {
				return v
			}
			return ""
		}
	}
	var stderr bytes.Buffer
	f, err := Parse([]string{"--lb-class", "x", "--reconcile-interval", "200ms"}, env("node-a"), &stderr)
	if err != nil || f.NodeName != "node-a" || f.LBClass != "x" || f.ReconcileInterval != 200*time.Millisecond ||
		f.Namespace != "metallb-system" || f.MetricsAddr != ":7472" {
		t.Fatalf("Parse = %+v, %v", f, err)
	}
	for _, args := range [][]string{
		{}, // no node name anywhere
		{"--node-name", "n", "--log-level", "loud"},
		{"--node-name", "n", "--router-id", "2001:db8::1"},
		{"--node-name", "n", "--reconcile-interval", "0s"},
		{"--node-name", "n", "extra"},
		{"--bogus"},
	} {
		if _, err := Parse(args, env(""), &stderr); !errors.Is(err, ErrUsage) {
			t.Errorf("Parse(%q) = %v, want a usage error", args, err)
		}
	}
	if _, err := Parse([]string{"-h"}, env(""), &stderr); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
	var out bytes.Buffer
	if err := Run(context.Background(), nil, []string{"--version"}, &out, &stderr); err != nil || !strings.HasPrefix(out.String(), "speaker ") {
		t.Errorf("--version: %q %v", out.String(), err)
	}
}

func TestLazyRouterStartsAtFirstPeer(t *testing.T) {
	var got []string
	fake := router.NewFake()
	l := &lazyRouter{
		nodeIP: func() netip.Addr { return netip.MustParseAddr("192.0.2.9") },
		factory: func(_ context.Context, asn uint32, id netip.Addr) (router.Router, error) {
			got = append(got, id.String())
			if asn != 64513 {
				t.Errorf("asn %d", asn)
			}
			return fake, nil
		},
	}
	ctx := context.Background()
	events := 0
	if err := l.Watch(ctx, func(router.SessionEvent) { events++ }); err != nil {
		t.Fatal(err)
	}
	if err := l.SetPeers(ctx, nil); err != nil || len(got) != 0 {
		t.Fatalf("no peers must not start BGP: %v %v", err, got)
	}
	if ss, err := l.Sessions(ctx); err != nil || len(ss) != 0 {
		t.Fatal("sessions before start")
	}
	if err := l.Close(ctx, false); err != nil {
		t.Fatal(err)
	}
	p := router.Peer{Name: "r", Address: netip.MustParseAddr("192.0.2.1"), MyASN: 64513}
	if err := l.SetPeers(ctx, []router.Peer{p}); err != nil || len(got) != 1 || got[0] != "192.0.2.9" {
		t.Fatalf("start: %v %v", err, got)
	}
	if events == 0 {
		t.Fatal("watchers registered before the start were not attached")
	}
	if err := l.SetPeers(ctx, []router.Peer{p}); err != nil || len(got) != 1 {
		t.Fatal("started twice")
	}

	l2 := &lazyRouter{nodeIP: func() netip.Addr { return netip.Addr{} },
		factory: func(context.Context, uint32, netip.Addr) (router.Router, error) { return fake, nil }}
	if err := l2.SetPeers(ctx, []router.Peer{p}); err == nil || !strings.Contains(err.Error(), "router ID") {
		t.Fatalf("no router ID: %v", err)
	}
	p.RouterID = netip.MustParseAddr("192.0.2.77")
	l3 := &lazyRouter{nodeIP: func() netip.Addr { return netip.Addr{} },
		factory: func(_ context.Context, _ uint32, id netip.Addr) (router.Router, error) {
			got = append(got, id.String())
			return router.NewFake(), nil
		}}
	if err := l3.SetPeers(ctx, []router.Peer{p}); err != nil || got[len(got)-1] != "192.0.2.77" {
		t.Fatalf("peer routerID not used: %v %v", err, got)
	}
}
