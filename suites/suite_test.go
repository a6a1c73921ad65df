// Package suites holds the Ginkgo v2 end-to-end suites: each brings a lab up on the
// namespace backend, runs a scenario's steps against the real product (controller,
// speakers with GoBGP and BFD) and real routers (FRR, BIRD), and records timings
// and a timeline. Labels: feature:<name>, router:<kind>, backend:netns, and
// speed:fast for the subset `make test` runs.
//
//	make e2e                              # every suite, reports under out/e2e/
//	go test ./suites/ -ginkgo.label-filter=feature:bfd -ginkgo.v
package suites

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/bgplb/bgplb/scenarios/runner"
	"github.com/bgplb/bgplb/testing/labtest"
	"github.com/bgplb/bgplb/topologies/controlplane"
)

// repo is the repository root, relative to this package.
const repo = ".."

// outDir is where reports go (make e2e passes BGPLB_E2E_OUT).
func outDir() string {
	if d := os.Getenv("BGPLB_E2E_OUT"); d != "" {
		return d
	}
	return filepath.Join(repo, "out", "e2e")
}

// TestE2E runs the suites; it skips, saying why, where a lab cannot run.
func TestE2E(t *testing.T) {
	if reason := cannotRun(); reason != "" {
		t.Skip("e2e: " + reason)
	}
	labtest.Serialize(t) // the labs are named like the integration tests' ones
	RegisterFailHandler(Fail)
	RunSpecs(t, "bgplb end-to-end")
}

func cannotRun() string {
	switch {
	case testing.Short():
		return "skipped with -short (needs root, FRR, BIRD, the apiserver build and bin/)"
	case os.Geteuid() != 0:
		return "needs root for network namespaces"
	}
	for _, f := range []string{"/usr/lib/frr/bgpd", "/usr/lib/frr/bfdd", "/usr/sbin/bird"} {
		if _, err := os.Stat(f); err != nil {
			return f + " missing: run `make packages`"
		}
	}
	if _, err := exec.LookPath("curl"); err != nil {
		return "curl missing: run `make packages`"
	}
	for _, b := range []string{"bgplb", "speaker", "controller"} {
		if _, err := os.Stat(filepath.Join(repo, "bin", b)); err != nil {
			return "bin/" + b + " missing: run `make build`"
		}
	}
	if _, err := controlplane.FindBinaries(controlplane.Binaries{}, os.Getenv, repo); err != nil {
		return err.Error()
	}
	return ""
}

// results are every finished recording, printed and written after the suite.
var results []runner.Result

var _ = BeforeSuite(func() {
	Expect(os.RemoveAll(outDir())).To(Succeed()) // timings.json is appended to: start clean
	Expect(os.MkdirAll(outDir(), 0o755)).To(Succeed())
})

var _ = ReportAfterSuite("timings", func(r Report) {
	if len(results) == 0 {
		return
	}
	width := len("client requests failed / sent")
	for _, res := range results {
		for k := range res.Timings {
			width = max(width, len(k))
		}
	}
	var b strings.Builder
	row := func(scenario, measurement, figure string) {
		fmt.Fprintf(&b, "%-28s %-*s %10s\n", scenario, width, measurement, figure)
	}
	b.WriteString("\n")
	row("SCENARIO", "MEASUREMENT", "SECONDS")
	for _, res := range results {
		keys := make([]string, 0, len(res.Timings))
		for k := range res.Timings {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			row(res.Scenario, k, fmt.Sprintf("%.3f", time.Duration(res.Timings[k]).Seconds()))
		}
		if res.Clients != nil {
			row(res.Scenario, "client requests failed / sent", fmt.Sprintf("%d/%d", res.Clients.Failed, res.Clients.Requests))
		}
	}
	fmt.Fprintf(&b, "reports and timelines: %s\n", outDir())
	fmt.Fprint(os.Stdout, b.String())
})
