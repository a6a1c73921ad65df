// Package eventpace is a Kubernetes event recorder that never blocks its caller
// and never drops an event silently.
//
// client-go's recorder is asynchronous but bounded: its broadcaster keeps 1,000
// events and drops the rest without a word (at 10,000 Services a speaker lost 27
// nodeAssigned events), and a burst of events (a controller restart allocating
// 2,000 Services) competes with the writes that matter for the apiserver's time.
// A Recorder queues events and hands them to the inner recorder at most Rate per
// second (Burst at once), so a single event goes out at once and a burst drains
// behind the status writes. Past Max queued events, further ones are counted per
// reason and reported in one log line when the queue has drained, and whatever
// is still queued at shutdown is counted in one line too.
package eventpace

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"

	"golang.org/x/time/rate"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/record"
)

// Defaults of Options.
const (
	DefaultRate  = 50
	DefaultBurst = 100
	DefaultMax   = 20_000
)

// Options configure a Recorder; zero values take the defaults.
type Options struct {
	Rate   float64 // events per second handed to the inner recorder
	Burst  int     // events handed over at once after a quiet moment
	Max    int     // events queued before further ones are only counted
	Logger *slog.Logger
}

type event struct {
	obj                  runtime.Object
	annotations          map[string]string
	typ, reason, message string
}

// Recorder implements record.EventRecorder. Run must be running for events to
// leave the queue.
type Recorder struct {
	inner record.EventRecorder
	o     Options
	log   *slog.Logger
	lim   *rate.Limiter
	wake  chan struct{}

	mu       sync.Mutex
	q        []event
	overflow map[string]int // reason -> events counted instead of queued
}

var _ record.EventRecorder = (*Recorder)(nil)

// New wraps inner.
func New(inner record.EventRecorder, o Options) *Recorder {
	if o.Rate <= 0 {
		o.Rate = DefaultRate
	}
	if o.Burst <= 0 {
		o.Burst = DefaultBurst
	}
	if o.Max <= 0 {
		o.Max = DefaultMax
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Recorder{inner: inner, o: o, log: log, lim: rate.NewLimiter(rate.Limit(o.Rate), o.Burst),
		wake: make(chan struct{}, 1), overflow: map[string]int{}}
}

// Event implements record.EventRecorder.
func (r *Recorder) Event(obj runtime.Object, typ, reason, message string) {
	r.push(event{obj: obj, typ: typ, reason: reason, message: message})
}

// Eventf implements record.EventRecorder.
func (r *Recorder) Eventf(obj runtime.Object, typ, reason, format string, args ...any) {
	r.push(event{obj: obj, typ: typ, reason: reason, message: fmt.Sprintf(format, args...)})
}

// AnnotatedEventf implements record.EventRecorder.
func (r *Recorder) AnnotatedEventf(obj runtime.Object, annotations map[string]string, typ, reason, format string, args ...any) {
	r.push(event{obj: obj, annotations: annotations, typ: typ, reason: reason, message: fmt.Sprintf(format, args...)})
}

func (r *Recorder) push(e event) {
	r.mu.Lock()
	if len(r.q) >= r.o.Max {
		r.overflow[e.reason]++
	} else {
		r.q = append(r.q, e)
	}
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Queued returns how many events wait.
func (r *Recorder) Queued() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.q)
}

// Run hands queued events to the inner recorder at the configured pace until ctx
// is done, then logs how many were still queued (they are not sent: the process
// is stopping).
func (r *Recorder) Run(ctx context.Context) {
	for {
		e, ok := r.next()
		if !ok {
			r.reportOverflow()
			select {
			case <-ctx.Done():
				r.reportLeft()
				return
			case <-r.wake:
				continue
			}
		}
		if err := r.lim.Wait(ctx); err != nil {
			r.requeue(e)
			r.reportLeft()
			return
		}
		if e.annotations != nil {
			r.inner.AnnotatedEventf(e.obj, e.annotations, e.typ, e.reason, "%s", e.message)
		} else {
			r.inner.Event(e.obj, e.typ, e.reason, e.message)
		}
	}
}

func (r *Recorder) next() (event, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.q) == 0 {
		r.q = nil // let a drained burst's backing array go
		return event{}, false
	}
	e := r.q[0]
	r.q[0] = event{}
	r.q = r.q[1:]
	return e, true
}

func (r *Recorder) requeue(e event) {
	r.mu.Lock()
	r.q = append([]event{e}, r.q...)
	r.mu.Unlock()
}

// reportOverflow logs, once per drained burst, the events counted instead of sent.
func (r *Recorder) reportOverflow() {
	r.mu.Lock()
	over := r.overflow
	r.overflow = map[string]int{}
	r.mu.Unlock()
	for _, reason := range slices.Sorted(maps.Keys(over)) {
		r.log.Warn("events not recorded one by one: more were waiting than the queue holds",
			"reason", reason, "count", over[reason], "queue", r.o.Max)
	}
}

func (r *Recorder) reportLeft() {
	r.reportOverflow()
	r.mu.Lock()
	left := map[string]int{}
	for _, e := range r.q {
		left[e.reason]++
	}
	r.q = nil
	r.mu.Unlock()
	for _, reason := range slices.Sorted(maps.Keys(left)) {
		r.log.Info("stopping with events not yet recorded", "reason", reason, "count", left[reason])
	}
}
