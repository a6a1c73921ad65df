package timeline

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

func sample() Timeline {
	t0 := time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	return Timeline{
		Title: "two-dc: node n1 killed <&>", Start: t0,
		Tracks: []Track{
			{Name: "r1", Unit: "next hops", Points: []Point{{at(0), 3}, {at(1500), 2}, {at(4000), 3}},
				Changes: []Mark{{at(1400), "n1 Idle"}}},
			{Name: "clients", Unit: "% ok", Max: 100, Points: []Point{{at(0), 100}, {at(1500), 90}, {at(2000), 100}}},
		},
		Marks: []Mark{{at(1000), "kill n1 speaker"}},
	}
}

// The picture is well-formed XML with every track, mark and change in it, and
// text is escaped.
func TestSVGWellFormed(t *testing.T) {
	out := SVG(sample())
	d := xml.NewDecoder(bytes.NewReader(out))
	for {
		_, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, out)
		}
	}
	for _, want := range []string{">r1<", ">clients<", "kill n1 speaker", "n1 Idle", "&lt;&amp;&gt;", "seconds since start"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("SVG lacks %q", want)
		}
	}
}

// A step line: the value holds until the next sample (H then V), and the fault
// line sits at 1 s of a 4 s picture, a quarter of the plot.
func TestSVGGeometry(t *testing.T) {
	out := string(SVG(sample()))
	if !strings.Contains(out, "H") || !strings.Contains(out, " V") {
		t.Fatal("no step path")
	}
	wantX := fmt.Sprintf(`x1="%.1f"`, left+plotW/4)
	if !strings.Contains(out, wantX) {
		t.Errorf("fault line not at %s:\n%s", wantX, out)
	}
}

// Labels close in time take rows of their own instead of overprinting; a label
// far enough from the last one goes back to the first row; the picture grows
// by the rows it needs.
func TestLabelsDoNotOverprint(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	x := func(m time.Time) float64 { return left + plotW*float64(m.Sub(t0))/float64(10*time.Second) }
	ms := []Mark{{at(0), "freeze n1 speaker"}, {at(100), "thaw n1 speaker"}, {at(200), "freeze n1 speaker"}, {at(9000), "thaw"}}
	got, n := rows(ms, x, 11)
	if want := []int{0, 1, 2, 0}; fmt.Sprint(got) != fmt.Sprint(want) || n != 3 {
		t.Errorf("rows %v (%d), want %v (3)", got, n, want)
	}
	tl := sample()
	short := SVG(tl)
	tl.Marks = ms
	tl.Start, tl.End = t0, at(10000)
	if tall := SVG(tl); height(t, tall) != height(t, short)+2*markRowH {
		t.Errorf("height %v with three rows of marks, %v with one", height(t, tall), height(t, short))
	}
}

func height(t *testing.T, svg []byte) float64 {
	t.Helper()
	var h float64
	if _, err := fmt.Sscanf(string(svg[bytes.Index(svg, []byte(`height="`)):]), `height="%g"`, &h); err != nil {
		t.Fatal(err)
	}
	return h
}
