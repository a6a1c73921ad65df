// Command benchtable turns `go test -bench` output into the one table `make bench`
// prints: for each measurement its figure, the baseline measured in the same run
// (or, where none can run here, the anchor measured on this kind of machine, said
// so), their ratio and the target. Pure: text in, rows and text out.
package main

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// Metrics are one benchmark's reported values by unit ("ns/op", "ratio@10000").
type Metrics map[string]float64

// Parse reads benchmark result lines ("BenchmarkX-2  1  123 ns/op  4.5 unit ...");
// a benchmark seen twice keeps its last run.
func Parse(r io.Reader) (map[string]Metrics, error) {
	out := map[string]Metrics{}
	line := regexp.MustCompile(`^(Benchmark[^\s-]+)(-\d+)?\s+\d+\s+(\S+ ns/op.*)$`)
	// A benchmark that logs while it runs splits its line: the name first, then
	// "  N  X ns/op ..." on a later line.
	name := regexp.MustCompile(`^(Benchmark[^\s-]+)(-\d+)?\s`)
	rest := regexp.MustCompile(`^\s+\d+\s+(\S+ ns/op.*)$`)
	pending := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var bench, metrics string
		if m := line.FindStringSubmatch(sc.Text()); m != nil {
			bench, metrics = m[1], m[3]
		} else if m := rest.FindStringSubmatch(sc.Text()); m != nil && pending != "" {
			bench, metrics = pending, m[1]
		} else if m := name.FindStringSubmatch(sc.Text()); m != nil {
			pending = m[1]
			continue
		} else {
			continue
		}
		pending = ""
		ms, err := parseMetrics(bench, metrics)
		if err != nil {
			return nil, err
		}
		out[bench] = ms
	}
	return out, sc.Err()
}

func parseMetrics(bench, s string) (Metrics, error) {
	f := strings.Fields(s)
	ms := Metrics{}
	for i := 0; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return nil, fmt.Errorf("benchtable: %s: value %q: %w", bench, f[i], err)
		}
		ms[f[i+1]] = v
	}
	return ms, nil
}

// Spec says how one row is read from a benchmark's metrics.
type Spec struct {
	What, Benchmark string
	// Figure and Baseline name metrics; Ratio names one, or is computed
	// Figure/Baseline when empty. Anchor is a fixed baseline (measured elsewhere
	// on this kind of machine) used when Baseline is empty.
	Figure, Baseline, Ratio string
	Anchor                  float64
	AnchorNote, Unit        string
	Target                  string
}

// Row is one printed line.
type Row struct {
	What      string   `json:"what"`
	Benchmark string   `json:"benchmark"`
	Figure    *float64 `json:"figure,omitempty"`
	Baseline  *float64 `json:"baseline,omitempty"`
	Ratio     *float64 `json:"ratio,omitempty"`
	Unit      string   `json:"unit"`
	Basis     string   `json:"basis"` // "same run" or the anchor's note
	Target    string   `json:"target"`
	Missing   string   `json:"missing,omitempty"`
}

// Rows evaluates every spec; a benchmark that did not run gives a row saying so.
func Rows(specs []Spec, results map[string]Metrics) []Row {
	var out []Row
	for _, s := range specs {
		r := Row{What: s.What, Benchmark: s.Benchmark, Unit: s.Unit, Target: s.Target, Basis: "same run"}
		ms, ok := results[s.Benchmark]
		if !ok {
			r.Missing = "did not run (see its log in out/bench/)"
			out = append(out, r)
			continue
		}
		r.Figure = get(ms, s.Figure)
		switch {
		case s.Baseline != "":
			r.Baseline = get(ms, s.Baseline)
		case s.Anchor != 0:
			a := s.Anchor
			r.Baseline, r.Basis = &a, s.AnchorNote
		default:
			r.Basis = "-"
		}
		switch {
		case s.Ratio != "":
			r.Ratio = get(ms, s.Ratio)
			if r.Baseline == nil && s.Anchor == 0 && r.Figure != nil && r.Ratio != nil && *r.Ratio != 0 && s.Ratio != s.Figure {
				b := *r.Figure / *r.Ratio // the benchmark reports figure and ratio; the baseline is theirs
				r.Baseline, r.Basis = &b, "same run"
			}
		case r.Figure != nil && r.Baseline != nil && *r.Baseline != 0:
			v := *r.Figure / *r.Baseline
			r.Ratio = &v
		}
		if r.Figure == nil {
			r.Missing = "no metric " + s.Figure
		}
		out = append(out, r)
	}
	return out
}

func get(ms Metrics, unit string) *float64 {
	if v, ok := ms[unit]; ok {
		return &v
	}
	return nil
}

// Format prints rows as an aligned table.
func Format(w io.Writer, rows []Row) {
	fmt.Fprintf(w, "%-52s %12s %12s %8s  %-34s %s\n", "MEASUREMENT", "FIGURE", "BASELINE", "RATIO", "TARGET", "BASELINE FROM")
	for _, r := range rows {
		if r.Missing != "" {
			fmt.Fprintf(w, "%-52s %s\n", r.What, r.Missing)
			continue
		}
		fmt.Fprintf(w, "%-52s %12s %12s %8s  %-34s %s\n", r.What, num(r.Figure, r.Unit), num(r.Baseline, r.Unit), ratio(r.Ratio), r.Target, r.Basis)
	}
}

func num(v *float64, unit string) string {
	if v == nil {
		return "-"
	}
	return strconv.FormatFloat(*v, 'g', 4, 64) + unit
}

func ratio(v *float64) string {
	if v == nil {
		return "-"
	}
	return strconv.FormatFloat(*v, 'g', 3, 64) + "x"
}
