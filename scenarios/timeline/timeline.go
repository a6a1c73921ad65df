// Package timeline draws what happened during a scenario as one SVG picture: time
// on x, one track per router (the number of next hops it has for the Service,
// with its session and BFD state changes marked) and one for the clients' request
// success rate, with every fault as a vertical line across all tracks. Pure: it
// takes samples and returns bytes.
package timeline

import (
	"bytes"
	"fmt"
	"html"
	"math"
	"time"
)

// Timeline is the picture's data.
type Timeline struct {
	Title string
	Start time.Time
	End   time.Time // zero: the last sample or mark
	// Tracks are drawn top to bottom.
	Tracks []Track
	// Marks are events across every track (faults, heals).
	Marks []Mark
}

// Track is one line of the picture: a step function of Points.
type Track struct {
	Name string
	// Max is the top of the y axis (0: the largest value, at least 1).
	Max float64
	// Unit labels the axis ("next hops", "% ok").
	Unit   string
	Points []Point
	// Changes are events of this track only (session or BFD state changes).
	Changes []Mark
}

// Point is a sample.
type Point struct {
	At    time.Time
	Value float64
}

// Mark is a labelled instant.
type Mark struct {
	At    time.Time
	Label string
}

// Layout, in SVG user units.
const (
	width      = 960.0
	left       = 150.0 // room for track names
	right      = 20.0
	titleH     = 31.0
	markRowH   = 13.0 // one row of fault labels (11 px text)
	trackH     = 70.0
	changeRowH = 10.0 // one row of state-change labels (9 px text)
	axisH      = 36.0
	plotW      = width - left - right
	fontFamily = "sans-serif"
)

// SVG renders t.
func SVG(t Timeline) []byte {
	end := t.end()
	span := end.Sub(t.Start)
	if span <= 0 {
		span = time.Second
	}
	x := func(at time.Time) float64 {
		return left + plotW*math.Max(0, math.Min(1, float64(at.Sub(t.Start))/float64(span)))
	}
	markRow, markRows := rows(t.Marks, x, 11)
	top := titleH + markRowH*float64(max(markRows, 1)) + 8
	trackTop := make([]float64, len(t.Tracks))
	changeRow := make([][]int, len(t.Tracks))
	y := top
	for i, tr := range t.Tracks {
		var n int
		changeRow[i], n = rows(tr.Changes, x, 9)
		trackTop[i] = y
		y += trackH + 14 + changeRowH*float64(n)
	}
	bottom := y
	height := bottom + axisH

	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="%s" font-size="12">`+"\n",
		width, height, width, height, fontFamily)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%.0f" y="22" font-size="15" font-weight="bold">%s</text>`+"\n", left, esc(t.Title))
	for i, tr := range t.Tracks {
		drawTrack(&b, tr, trackTop[i], changeRow[i], x, end)
	}
	drawAxis(&b, bottom, span, x, t.Start)
	for i, m := range t.Marks {
		mx := x(m.At)
		ly := top - 8 - float64(markRow[i])*markRowH
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="#c0392b" stroke-dasharray="4 3"/>`+"\n", mx, ly, mx, bottom)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" fill="#c0392b" font-size="11">%s</text>`+"\n", mx+3, ly-2, esc(m.Label))
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

// rows gives each mark's label the first row where it does not overprint the
// label before it, and returns how many rows that took. Marks come in time order;
// text is taken as 0.6 em a character, a fair width for sans-serif.
func rows(ms []Mark, x func(time.Time) float64, fontSize float64) ([]int, int) {
	out := make([]int, len(ms))
	var ends []float64 // per row, where its last label ends
	for i, m := range ms {
		start := x(m.At)
		stop := start + 3 + 0.6*fontSize*float64(len([]rune(m.Label))) + 4
		row := 0
		for row < len(ends) && ends[row] > start {
			row++
		}
		if row == len(ends) {
			ends = append(ends, 0)
		}
		ends[row], out[i] = stop, row
	}
	return out, len(ends)
}

func (t Timeline) end() time.Time {
	if !t.End.IsZero() {
		return t.End
	}
	end := t.Start
	for _, tr := range t.Tracks {
		for _, p := range tr.Points {
			if p.At.After(end) {
				end = p.At
			}
		}
	}
	for _, m := range t.Marks {
		if m.At.After(end) {
			end = m.At
		}
	}
	return end
}

func drawTrack(b *bytes.Buffer, tr Track, y0 float64, row []int, x func(time.Time) float64, end time.Time) {
	max := tr.Max
	for _, p := range tr.Points {
		max = math.Max(max, p.Value)
	}
	max = math.Max(max, 1)
	y := func(v float64) float64 { return y0 + trackH - trackH*v/max }
	fmt.Fprintf(b, `<text x="8" y="%.1f" font-weight="bold">%s</text>`+"\n", y0+trackH/2, esc(tr.Name))
	fmt.Fprintf(b, `<text x="8" y="%.1f" fill="#666" font-size="10">%s (0–%g)</text>`+"\n", y0+trackH/2+14, esc(tr.Unit), max)
	fmt.Fprintf(b, `<rect x="%.0f" y="%.1f" width="%.0f" height="%.0f" fill="#f7f9fb" stroke="#dde"/>`+"\n", left, y0, plotW, trackH)
	if len(tr.Points) > 0 {
		var path bytes.Buffer
		fmt.Fprintf(&path, "M%.1f %.1f", x(tr.Points[0].At), y(tr.Points[0].Value))
		for i := 1; i < len(tr.Points); i++ {
			p := tr.Points[i]
			fmt.Fprintf(&path, " H%.1f V%.1f", x(p.At), y(p.Value)) // a step: the value holds until the next sample
		}
		fmt.Fprintf(&path, " H%.1f", x(end))
		fmt.Fprintf(b, `<path d="%s" fill="none" stroke="#2471a3" stroke-width="2"/>`+"\n", path.String())
	}
	for i, c := range tr.Changes {
		cx := x(c.At)
		ly := y0 + trackH + 10 + float64(row[i])*changeRowH
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#7d3c98"/>`+"\n", cx, y0+trackH-10, cx, ly-8)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" fill="#7d3c98" font-size="9">%s</text>`+"\n", cx+2, ly, esc(c.Label))
	}
}

func drawAxis(b *bytes.Buffer, y0 float64, span time.Duration, x func(time.Time) float64, start time.Time) {
	fmt.Fprintf(b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="#333"/>`+"\n", left, y0, left+plotW, y0)
	step := tickStep(span)
	for d := time.Duration(0); d <= span; d += step {
		tx := x(start.Add(d))
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="#333"/>`+"\n", tx, y0, tx, y0+5)
		fmt.Fprintf(b, `<text x="%.1f" y="%.0f" text-anchor="middle" font-size="10">%gs</text>`+"\n", tx, y0+17, d.Seconds())
	}
	fmt.Fprintf(b, `<text x="%.0f" y="%.0f" text-anchor="end" fill="#666" font-size="10">seconds since start</text>`+"\n", left+plotW, y0+31)
}

// tickStep picks a round tick interval giving at most about 12 ticks.
func tickStep(span time.Duration) time.Duration {
	for _, s := range []time.Duration{100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond,
		time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 30 * time.Second, time.Minute} {
		if span/s <= 12 {
			return s
		}
	}
	return 5 * time.Minute
}

func esc(s string) string { return html.EscapeString(s) }
