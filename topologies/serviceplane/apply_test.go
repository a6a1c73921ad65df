package serviceplane

import (
	"github.com/bgplb/bgplb/topologies/command"

	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// recorder is a Runner that records commands and fails those containing fail.
type recorder struct {
	cmds []string
	fail string
}

func (r *recorder) Run(_ context.Context, cmd command.Cmd) ([]byte, error) {
	c := cmd.String()
	r.cmds = append(r.cmds, c)
	if r.fail != "" && strings.Contains(c, r.fail) {
		return nil, errors.New("exit status 2: RTNETLINK answers: Operation not permitted")
	}
	return nil, nil
}

func newLocalOnly(r Runner) *ServicePlane {
	return &ServicePlane{
		run: r, log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		have:    State{Bindings: map[Binding]bool{}, Listeners: map[Listener]bool{}},
		servers: map[Listener]*http.Server{},
	}
}

// UDP-only Services give bindings without listeners, so applyLocal runs here
// without entering a namespace.
func TestApplyLocalRunsIPCommandsAndKeepsTrueState(t *testing.T) {
	svc := lbService("dns", map[string]string{AnnotationBackends: "node1,node2"}, "203.0.113.53", "2001:db8:5::53")
	svc.Spec.Ports = svc.Spec.Ports[1:]
	want := Compute([]*corev1.Service{svc}, testNodes).State

	rec := &recorder{fail: "lab-node2 addr replace 2001:db8:5::53"}
	sp := newLocalOnly(rec)
	err := sp.applyLocal(t.Context(), want)
	if err == nil || !strings.Contains(err.Error(), "2001:db8:5::53/128") || !strings.Contains(err.Error(), "lab-node2") {
		t.Fatalf("want an error naming the address and namespace, got %v", err)
	}
	wantCmds := []string{
		"ip -n lab-node1 addr replace 203.0.113.53/32 dev lo",
		"ip -n lab-node1 addr replace 2001:db8:5::53/128 dev lo nodad",
		"ip -n lab-node2 addr replace 203.0.113.53/32 dev lo",
		"ip -n lab-node2 addr replace 2001:db8:5::53/128 dev lo nodad",
	}
	if !reflect.DeepEqual(rec.cmds, wantCmds) {
		t.Fatalf("commands\n got %q\nwant %q", rec.cmds, wantCmds)
	}
	if len(sp.have.Bindings) != 3 || sp.have.Bindings[Binding{"lab-node2", ip("2001:db8:5::53")}] {
		t.Fatalf("have must hold exactly what succeeded: %v", sp.have.Bindings)
	}

	// The retry adds only what is missing; tearing down removes the rest,
	// treating "already gone" as success.
	rec.cmds, rec.fail = nil, ""
	if err := sp.applyLocal(t.Context(), want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rec.cmds, wantCmds[3:]) {
		t.Fatalf("retry ran %q", rec.cmds)
	}
	rec.cmds = nil
	gone := &goneRunner{recorder: rec}
	sp.run = gone
	if err := sp.applyLocal(t.Context(), State{Bindings: map[Binding]bool{}, Listeners: map[Listener]bool{}}); err != nil {
		t.Fatal(err)
	}
	if len(rec.cmds) != 4 || !strings.Contains(rec.cmds[0], "addr del") || len(sp.have.Bindings) != 0 {
		t.Fatalf("teardown ran %q, have %v", rec.cmds, sp.have.Bindings)
	}
}

// goneRunner answers like `ip addr del` of an address that is not there.
type goneRunner struct{ *recorder }

func (g *goneRunner) Run(ctx context.Context, cmd command.Cmd) ([]byte, error) {
	g.recorder.Run(ctx, cmd)
	return nil, errors.New("exit status 2: RTNETLINK answers: Cannot assign requested address")
}
