package main

import (
	"encoding/json"
	"fmt"
	"os"
)

// usage: go run ./hack/benchtable RAW [OUT.json]
// RAW is the concatenated `go test -bench` output of make bench.
func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: benchtable RAW_BENCH_OUTPUT [RESULTS.json]")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer f.Close()
	results, err := Parse(f)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	rows := Rows(Specs, results)
	Format(os.Stdout, rows)
	if len(os.Args) > 2 {
		data, _ := json.MarshalIndent(rows, "", "  ")
		if err := os.WriteFile(os.Args[2], append(data, '\n'), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println("written:", os.Args[2])
	}
}
