package controlplane

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
)

// peer returns a valid v1beta2 BGPPeer; cases change one thing each.
func peer(name string) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "metallb.io/v1beta2",
		"kind":       "BGPPeer",
		"metadata":   map[string]any{"name": name, "namespace": ns},
		"spec": map[string]any{
			"myASN":       int64(64512),
			"peerASN":     int64(64601),
			"peerAddress": "192.0.2.1",
		},
	}}
}

func testCELRules(t *testing.T, peers dynamic.ResourceInterface) {
	ctx := t.Context()
	dryRun := metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}
	// The base must pass, or every rejection below would prove nothing.
	if _, err := peers.Create(ctx, peer("base"), dryRun); err != nil {
		t.Fatalf("valid base peer rejected: %v", err)
	}
	// 4-byte private ASNs (RFC 6996: 4200000000-4294967294) are what many fabrics
	// use: the uint32 fields must take them.
	big := peer("four-byte")
	spec := big.Object["spec"].(map[string]any)
	spec["myASN"], spec["peerASN"], spec["localASN"] = int64(4200000000), int64(4294967294), int64(4200000001)
	if _, err := peers.Create(ctx, big, dryRun); err != nil {
		t.Errorf("BGPPeer with 4-byte ASNs rejected: %v", err)
	}
	cases := []struct {
		name   string
		change func(spec map[string]any)
		msg    string
	}{
		{"peerASN and dynamicASN", func(s map[string]any) { s["dynamicASN"] = "external" },
			"exactly one of peerASN or dynamicASN must be set"},
		{"neither peerASN nor dynamicASN", func(s map[string]any) { delete(s, "peerASN") },
			"exactly one of peerASN or dynamicASN must be set"},
		{"peerAddress and interface", func(s map[string]any) { s["interface"] = "eth1" },
			"exactly one of peerAddress or interface must be set"},
		{"password and passwordSecret", func(s map[string]any) {
			s["password"] = "clear"
			s["passwordSecret"] = map[string]any{"name": "md5", "namespace": ns}
		}, "password and passwordSecret are mutually exclusive"},
		{"ebgpMultiHop on iBGP", func(s map[string]any) {
			s["peerASN"] = int64(64512)
			s["ebgpMultiHop"] = true
		}, "ebgpMultiHop applies to eBGP sessions only"},
		{"ebgpMultiHop on dynamic internal", func(s map[string]any) {
			delete(s, "peerASN")
			s["dynamicASN"] = "internal"
			s["ebgpMultiHop"] = true
		}, "ebgpMultiHop applies to eBGP sessions only"},
		{"holdTime 1s", func(s map[string]any) { s["holdTime"] = "1s" },
			"holdTime must be 0 or at least 3s"},
		{"connectTime 500ms", func(s map[string]any) { s["connectTime"] = "500ms" },
			"connect time should"},
	}
	for _, c := range cases {
		p := peer("bad")
		c.change(p.Object["spec"].(map[string]any))
		_, err := peers.Create(ctx, p, dryRun)
		if !isInvalid(err, c.msg) {
			t.Errorf("%s: got %v, want Invalid with %q", c.name, err, c.msg)
		}
	}
}

// testGracefulRestartImmutable changes enableGracefulRestart both ways, and
// also by dropping the field, which is what a Go client sends for false
// (omitempty): every change must be refused.
func testGracefulRestartImmutable(t *testing.T, peers dynamic.ResourceInterface) {
	ctx := t.Context()
	cases := []struct {
		name   string
		before any // nil: field absent
		after  any
	}{
		{"true to false", true, false},
		{"true to absent", true, nil},
		{"absent to true", nil, true},
		{"false to true", false, true},
	}
	for i, c := range cases {
		p := peer("gr-" + string(rune('a'+i)))
		spec := p.Object["spec"].(map[string]any)
		if c.before != nil {
			spec["enableGracefulRestart"] = c.before
		}
		created, err := peers.Create(ctx, p, metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("%s: create: %v", c.name, err)
		}
		spec = created.Object["spec"].(map[string]any)
		delete(spec, "enableGracefulRestart")
		if c.after != nil {
			spec["enableGracefulRestart"] = c.after
		}
		_, err = peers.Update(ctx, created, metav1.UpdateOptions{})
		if !isInvalid(err, "enableGracefulRestart cannot be changed") {
			t.Errorf("%s: update got %v, want Invalid: enableGracefulRestart cannot be changed", c.name, err)
		}
	}
	// Unchanged updates must still pass (the rule is not a blanket refusal).
	p := peer("gr-same")
	p.Object["spec"].(map[string]any)["enableGracefulRestart"] = true
	created, err := peers.Create(ctx, p, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	created.Object["spec"].(map[string]any)["bfdProfile"] = "fast"
	if _, err := peers.Update(ctx, created, metav1.UpdateOptions{}); err != nil {
		t.Errorf("update leaving enableGracefulRestart alone: %v", err)
	}
}
