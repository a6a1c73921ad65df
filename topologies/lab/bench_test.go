package lab

import (
	"context"
	"fmt"
	"testing"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"
)

func clientKey(ns, name string) client.ObjectKey { return client.ObjectKey{Namespace: ns, Name: name} }

// Targets from issue 3's Measure section.
const (
	upTarget   = 10 * time.Second
	downTarget = 3 * time.Second
)

// BenchmarkLabUpDown measures warm `lab up` (control plane start included) and `lab
// down` of two-dc, and prints each figure with its target and ratio.
func BenchmarkLabUpDown(b *testing.B) {
	e := needLab(b, "two-dc")
	e.opts.Progress = nil
	var upSum, downSum time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := Up(context.Background(), e.opts); err != nil {
			b.Fatal(err)
		}
		up := time.Since(start)
		start = time.Now()
		if err := Down(context.Background(), e.dopts); err != nil {
			b.Fatal(err)
		}
		down := time.Since(start)
		upSum, downSum = upSum+up, downSum+down
		fmt.Printf("run %d: up %.2fs, down %.2fs\n", i+1, up.Seconds(), down.Seconds())
	}
	n := time.Duration(b.N)
	up, down := upSum/n, downSum/n
	fmt.Printf("two-dc lab up:   %5.2fs  target %4.1fs  ratio %.2f\n", up.Seconds(), upTarget.Seconds(), up.Seconds()/upTarget.Seconds())
	fmt.Printf("two-dc lab down: %5.2fs  target %4.1fs  ratio %.2f\n", down.Seconds(), downTarget.Seconds(), down.Seconds()/downTarget.Seconds())
	b.ReportMetric(up.Seconds(), "up-s")
	b.ReportMetric(down.Seconds(), "down-s")
}
