package suites

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/bgplb/bgplb/api/v1beta2"
	"github.com/bgplb/bgplb/scenarios"
	"github.com/bgplb/bgplb/scenarios/runner"
	"github.com/bgplb/bgplb/topologies/backend"
	"github.com/bgplb/bgplb/topologies/model"
)

// current is the lab of the running container, for failure dumps.
var current *runner.Lab

// upLab brings topology up for the enclosing Ordered container and takes it down
// after it, whatever happened.
func upLab(topology string) *runner.Lab {
	GinkgoHelper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	l, err := runner.Up(ctx, runner.Options{Topology: topology, RepoDir: repo,
		Progress: func(s string) { GinkgoWriter.Println("lab:", s) }})
	Expect(err).NotTo(HaveOccurred(), "lab up %s", topology)
	current = l
	DeferCleanup(func() {
		current = nil
		Expect(l.Down(context.Background())).To(Succeed(), "lab down %s", topology)
	})
	return l
}

// run runs one step in a recording and fails the spec with what the lab showed
// when it fails.
func run(rec *runner.Recorder, s scenarios.Step) time.Duration {
	GinkgoHelper()
	return check(s, rec.Step(context.Background(), s))
}

// await runs a step outside any recording (before one starts).
func await(l *runner.Lab, s scenarios.Step) time.Duration {
	GinkgoHelper()
	return check(s, l.RunStep(context.Background(), s))
}

func check(s scenarios.Step, res runner.StepResult) time.Duration {
	GinkgoHelper()
	Expect(res.Error).To(BeEmpty(), "step %q", s.Name)
	GinkgoWriter.Printf("step %q held after %s\n", s.Name, res.Took.Round(time.Millisecond))
	return res.Took
}

// finish ends a recording, keeps its result for the timings table and writes its
// timeline.
func finish(rec *runner.Recorder, timings map[string]time.Duration) {
	GinkgoHelper()
	res := rec.Finish(timings)
	results = append(results, res)
	Expect(res.Write(outDir())).To(Succeed())
	AddReportEntry("timings", res.Timings)
}

// fault is an Action injecting f.
func fault(kind backend.FaultKind, target, process string) scenarios.Action {
	return scenarios.Action{Fault: &backend.Fault{Kind: kind, Target: target, Process: process}}
}

// linkFault is an Action acting on node's end of link.
func linkFault(kind backend.FaultKind, link, node string) scenarios.Action {
	return scenarios.Action{Fault: &backend.Fault{Kind: kind, Target: link, Node: node}}
}

// serviceIP is the Service's first IP as a host prefix.
func serviceIP(l *runner.Lab, service string) netip.Prefix {
	GinkgoHelper()
	v, _, err := l.View(context.Background())
	Expect(err).NotTo(HaveOccurred())
	ips := v.Services[service]
	Expect(ips).NotTo(BeEmpty(), "%s has no IP", service)
	a := netip.MustParseAddr(ips[0])
	return netip.PrefixFrom(a, a.BitLen())
}

// peerStatus is node's entry in the BGPPeer's status (nil when absent).
func peerStatus(l *runner.Lab, peer, node string) *v1beta2.BGPPeerNodeStatus {
	var p v1beta2.BGPPeer
	if err := l.Client.Get(context.Background(), key(model.Namespace, peer), &p); err != nil {
		return nil
	}
	for i := range p.Status.Nodes {
		if p.Status.Nodes[i].Node == node {
			return &p.Status.Nodes[i]
		}
	}
	return nil
}

// On failure, attach what a person debugging wants: the lab's status, and the
// tail of every speaker's and router's log.
var _ = AfterEach(func() {
	if !CurrentSpecReport().Failed() || current == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if st, err := current.Status(ctx); err == nil {
		data, _ := json.MarshalIndent(st, "", "  ")
		AddReportEntry("lab status", string(data))
	}
	logs, _ := filepath.Glob(filepath.Join(current.Record.Dir, "*", "*.log"))
	for _, f := range logs {
		if data, err := os.ReadFile(f); err == nil {
			AddReportEntry("log "+strings.TrimPrefix(f, current.Record.Dir+"/"), tail(string(data), 4000))
		}
	}
})

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return fmt.Sprintf("[...]\n%s", s[len(s)-n:])
}

func key(ns, name string) client.ObjectKey { return client.ObjectKey{Namespace: ns, Name: name} }
