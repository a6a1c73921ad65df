package runner

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bgplb/bgplb/scenarios/timeline"
)

// Result is a finished recording.
type Result struct {
	Scenario string              `json:"scenario"`
	Topology string              `json:"topology"`
	Steps    []StepResult        `json:"steps"`
	Timings  map[string]Duration `json:"timings,omitempty"`
	Timeline timeline.Timeline   `json:"-"`
	Clients  *ClientResult       `json:"clients,omitempty"`
	Extra    map[string]any      `json:"extra,omitempty"`
}

// ClientResult sums the clients' requests over the recording.
type ClientResult struct {
	Requests int `json:"requests"`
	Failed   int `json:"failed"`
}

// Duration prints as seconds in JSON (what a person reads) with milliseconds.
type Duration time.Duration

// MarshalJSON implements json.Marshaler.
func (d Duration) MarshalJSON() ([]byte, error) {
	return []byte(fmt.Sprintf("%.3f", time.Duration(d).Seconds())), nil
}

// Finish stops the recording and returns its result; timings are the named
// measurements the suite made (failover times and the like).
func (r *Recorder) Finish(timings map[string]time.Duration) Result {
	r.stop()
	<-r.done
	<-r.fibDone
	res := Result{Scenario: r.sc.Name, Topology: r.sc.Topology, Timings: map[string]Duration{}}
	for k, v := range timings {
		res.Timings[k] = Duration(v)
	}
	r.mu.Lock()
	res.Steps = append(res.Steps, r.steps...)
	if r.sampleErrs > 0 {
		res.Extra = map[string]any{"failedSamples": r.sampleErrs, "lastSampleError": r.lastSampleErr}
	}
	tl := timeline.Timeline{Title: fmt.Sprintf("%s (%s): next hops toward %s per router", r.sc.Name, r.sc.Topology, r.sc.Service),
		Start: r.start, Marks: append([]timeline.Mark(nil), r.marks...)}
	for _, name := range r.order {
		tl.Tracks = append(tl.Tracks, *r.tracks[name])
	}
	r.mu.Unlock()
	if r.traffic != nil {
		rounds := r.traffic.Stop()
		ok := timeline.Track{Name: "clients", Unit: "% requests ok", Max: 100}
		cr := &ClientResult{}
		for _, rd := range rounds {
			ok.Points = append(ok.Points, timeline.Point{At: rd.At, Value: 100 * float64(rd.OK) / float64(max(rd.Of, 1))})
			cr.Requests += rd.Of
			cr.Failed += rd.Of - rd.OK
		}
		tl.Tracks = append(tl.Tracks, ok)
		res.Clients = cr
	}
	res.Timeline = tl
	return res
}

// Write puts the result's timeline as dir/<scenario>.svg and appends the result
// to dir/timings.json (a JSON array, rewritten whole).
func (res Result) Write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	name := fileName(res.Scenario)
	if err := os.WriteFile(filepath.Join(dir, name+".svg"), timeline.SVG(res.Timeline), 0o644); err != nil {
		return err
	}
	path := filepath.Join(dir, "timings.json")
	var all []json.RawMessage
	if data, err := os.ReadFile(path); err == nil {
		_ = json.Unmarshal(data, &all)
	}
	data, err := json.Marshal(res)
	if err != nil {
		return err
	}
	all = append(all, data)
	out, err := json.MarshalIndent(all, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(out, '\n'), 0o644)
}

func fileName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, s)
}
