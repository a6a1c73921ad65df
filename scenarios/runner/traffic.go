package runner

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bgplb/bgplb/topologies/backend"
)

// Served is the outcome of requests from one client to a Service: how many each
// node answered, and how many failed.
type Served struct {
	ByNode map[string]int
	Failed int
}

// Total is the number of requests sent.
func (s Served) Total() int {
	n := s.Failed
	for _, c := range s.ByNode {
		n += c
	}
	return n
}

// Nodes lists the nodes that answered.
func (s Served) Nodes() []string {
	var out []string
	for n := range s.ByNode {
		out = append(out, n)
	}
	return sortedStrings(out)
}

// Request sends one HTTP request from client to ip (the lab's service plane
// answers with the serving node's name), with a one-second limit.
func (l *Lab) Request(ctx context.Context, clientNode, ip string) (string, error) {
	var out, errb bytes.Buffer
	url := "http://" + ip + "/"
	if strings.Contains(ip, ":") {
		url = "http://[" + ip + "]/"
	}
	err := l.Backend.Exec(ctx, l.Name, clientNode, []string{"curl", "-s", "-m", "1", url}, backend.ExecIO{Stdout: &out, Stderr: &errb})
	if err != nil {
		return "", fmt.Errorf("curl %s from %s: %w %s", url, clientNode, err, strings.TrimSpace(errb.String()))
	}
	return strings.TrimSpace(out.String()), nil
}

// Requests sends n requests (n <= 100) from client to ip, one after another.
func (l *Lab) Requests(ctx context.Context, clientNode, ip string, n int) Served {
	s := Served{ByNode: map[string]int{}}
	for i := 0; i < min(n, 100); i++ {
		if node, err := l.Request(ctx, clientNode, ip); err != nil || node == "" {
			s.Failed++
		} else {
			s.ByNode[node]++
		}
	}
	return s
}

// Traffic sends a request from each client every interval until stopped or
// limit has passed (a bounded loop: at most limit/interval rounds), keeping the
// outcome of every round for the timeline.
type Traffic struct {
	mu     sync.Mutex
	rounds []Round
	stop   context.CancelFunc
	done   chan struct{}
}

// Round is one request from each client.
type Round struct {
	At     time.Time
	OK, Of int
}

// StartTraffic starts a Traffic loop toward ip.
func (l *Lab) StartTraffic(ctx context.Context, clients []string, ip string, interval, limit time.Duration) *Traffic {
	ctx, cancel := context.WithTimeout(ctx, limit)
	t := &Traffic{stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(t.done)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			r := Round{At: time.Now(), Of: len(clients)}
			for _, c := range clients {
				if node, err := l.Request(ctx, c, ip); err == nil && node != "" {
					r.OK++
				}
			}
			if ctx.Err() != nil {
				return
			}
			t.mu.Lock()
			t.rounds = append(t.rounds, r)
			t.mu.Unlock()
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return t
}

// Stop ends the loop and returns every round.
func (t *Traffic) Stop() []Round {
	t.stop()
	<-t.done
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Round(nil), t.rounds...)
}

// Failed counts the requests that failed in the rounds since from.
func (t *Traffic) Failed(from time.Time) (failed, total int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, r := range t.rounds {
		if !r.At.Before(from) {
			failed += r.Of - r.OK
			total += r.Of
		}
	}
	return failed, total
}

func sortedStrings(s []string) []string {
	slices.Sort(s)
	return s
}
