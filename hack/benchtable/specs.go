package main

// Specs are the rows of `make bench`, in the order the issues list them.
var Specs = []Spec{
	{What: "allocator: /16 one by one, ns/alloc last 1k vs first 1k", Benchmark: "BenchmarkAllocateSlash16",
		Figure: "ns/alloc-last1k", Ratio: "last/first", Unit: "ns", Target: "near 1x (naive rescan in the log)"},
	{What: "controller: 2,000 Services -> all have an IP", Benchmark: "BenchmarkControllerServices",
		Figure: "s-all-have-IP", Anchor: 22.2, AnchorNote: "MetalLB v0.16.1 here (LAB-FACTS)", Unit: "s", Target: "beat MetalLB"},
	{What: "speaker: 10,000 /32 into FRR vs bare GoBGP", Benchmark: "BenchmarkSpeakerConvergence",
		Figure: "s@10000", Ratio: "ratio@10000", Unit: "s", Target: "<= 1.3x"},
	{What: "speaker: 100,000 /32 into FRR vs bare GoBGP", Benchmark: "BenchmarkSpeakerConvergence",
		Figure: "s@100000", Ratio: "ratio@100000", Unit: "s", Target: "linear growth"},
	{What: "reconcile loop: 100,000 Services burst (router fake)", Benchmark: "BenchmarkReconcile100k",
		Figure: "s-burst", Unit: "s", Target: "-"},
	{What: "BFD 100ms x3: node frozen -> FIB, median/theory", Benchmark: "BenchmarkBFDFailover",
		Figure: "median/theory@100x3", Unit: "x", Target: "<= 1.15x"},
	{What: "BFD 100ms x3: node frozen -> FIB, max/theory", Benchmark: "BenchmarkBFDFailover",
		Figure: "max/theory@100x3", Unit: "x", Target: "<= 1.4x"},
	{What: "BFD 100ms x3 vs hold timer 3s/9s (same run)", Benchmark: "BenchmarkBFDFailover",
		Figure: "speedup-vs-holdtimer", Unit: "x faster", Target: "-"},
	{What: "lab: warm up of two-dc", Benchmark: "BenchmarkLabUpDown",
		Figure: "up-s", Unit: "s", Target: "<= 10 s"},
	{What: "lab: down of two-dc", Benchmark: "BenchmarkLabUpDown",
		Figure: "down-s", Unit: "s", Target: "<= 3 s"},
}
