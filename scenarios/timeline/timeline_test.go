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
