package main

import (
	"bytes"
	"strings"
	"testing"
)

const raw = `goos: linux
BenchmarkBFDFailover-2   	       1	86742543030 ns/op	         3.011 max/theory@100x3	         1.052 median/theory@100x3	        28.55 speedup-vs-holdtimer
PASS
BenchmarkAnnounce10k-2 1 5 ns/op 0.8 adapter-s 0.7 baseline-s 1.14 ratio
BenchmarkControllerServices-2 1 5 ns/op 20.5 s-all-have-IP
BenchmarkLabUpDown-2   	2026/12/02 06:54:01 INFO lab up lab=two-dc took=1.2s
       3	6108349763 ns/op	         1.918 down-s	         4.189 up-s
`

func TestParseAndRows(t *testing.T) {
	res, err := Parse(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if got := res["BenchmarkLabUpDown"]["up-s"]; got != 4.189 {
		t.Fatalf("a split benchmark line: up-s = %v", got)
	}
	if got := res["BenchmarkBFDFailover"]["median/theory@100x3"]; got != 1.052 {
		t.Fatalf("median/theory = %v", got)
	}
	rows := Rows([]Spec{
		{What: "a", Benchmark: "BenchmarkAnnounce10k", Figure: "adapter-s", Baseline: "baseline-s", Ratio: "ratio"},
		{What: "c", Benchmark: "BenchmarkControllerServices", Figure: "s-all-have-IP", Anchor: 22.2, AnchorNote: "anchor"},
		{What: "m", Benchmark: "BenchmarkMissing", Figure: "x"},
		{What: "u", Benchmark: "BenchmarkAnnounce10k", Figure: "nope"},
	}, res)
	if *rows[0].Ratio != 1.14 || *rows[0].Baseline != 0.7 || rows[0].Basis != "same run" {
		t.Errorf("same-run row %+v", rows[0])
	}
	if r := rows[1]; r.Basis != "anchor" || *r.Baseline != 22.2 || *r.Ratio != 20.5/22.2 {
		t.Errorf("anchored row %+v", r)
	}
	if rows[2].Missing == "" || rows[3].Missing == "" {
		t.Errorf("missing benchmark or metric not reported: %+v %+v", rows[2], rows[3])
	}
	var b bytes.Buffer
	Format(&b, rows)
	if !strings.Contains(b.String(), "1.14x") || !strings.Contains(b.String(), "did not run") {
		t.Errorf("table:\n%s", b.String())
	}
}
