package k8s

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/record"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
	"github.com/bgplb/bgplb/speaker/reconcile"
	"github.com/bgplb/bgplb/speaker/router"
)

// PublisherOptions configure a Publisher. Client, Events and Sessions are required.
type PublisherOptions struct {
	Client    client.Client
	Events    record.EventRecorder
	Namespace string
	NodeName  string
	// Sessions reads the router's session states (router.Router.Sessions).
	Sessions func(context.Context) ([]router.Session, error)
	// BFD, when set, gives a peer's BFD state ("" without a session) and a problem
	// to report with it ("" when none) for its status entry.
	BFD func(peer string) (state, problem string)
	// ServiceUID resolves a Service key for event references (Watcher.ServiceUID).
	ServiceUID func(string) types.UID
	// Interval is the least time between two status writes; default 500 ms.
	Interval time.Duration
	Logger   *slog.Logger
}

// Publisher writes what the speaker knows back to the API: this node's entry in
// every BGPPeer's status, its ConfigurationState, and nodeAssigned events. Writes
// are coalesced and only sent when their content changes; a failed write (the
// apiserver is away) is retried on the next tick and never blocks the loop.
type Publisher struct {
	o   PublisherOptions
	log *slog.Logger

	dirty   chan struct{}
	mu      sync.Mutex
	rep     reconcile.Report
	haveRep bool

	// owned by Run's goroutine
	written   map[string]v1beta2.BGPPeerNodeStatus // peer -> entry last applied
	writtenCS *v1beta1.ConfigurationStateStatus
}

// NewPublisher returns a Publisher; Run does the writing.
func NewPublisher(o PublisherOptions) (*Publisher, error) {
	if o.Client == nil || o.Events == nil || o.Sessions == nil || o.NodeName == "" {
		return nil, errors.New("k8s: publisher needs Client, Events, Sessions and NodeName")
	}
	if o.Interval <= 0 {
		o.Interval = 500 * time.Millisecond
	}
	if o.ServiceUID == nil {
		o.ServiceUID = func(string) types.UID { return "" }
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Publisher{o: o, log: log, dirty: make(chan struct{}, 1), written: map[string]v1beta2.BGPPeerNodeStatus{}}, nil
}

// Observe takes a reconcile Report (the loop's Observer): nodeAssigned events go
// out at once (the recorder is asynchronous), status on the next write.
func (p *Publisher) Observe(rep reconcile.Report) {
	for _, key := range rep.NewlyAnnounced {
		ns, name, _ := cutKey(key)
		ref := &corev1.ObjectReference{Kind: "Service", APIVersion: "v1", Namespace: ns, Name: name, UID: p.o.ServiceUID(key)}
		p.o.Events.Eventf(ref, corev1.EventTypeNormal, ReasonNodeAssigned, "announcing from node %q with protocol %q", p.o.NodeName, "bgp")
	}
	p.mu.Lock()
	p.rep, p.haveRep = rep, true
	p.mu.Unlock()
	p.Touch()
}

// Touch asks for a status write (session state changes call it).
func (p *Publisher) Touch() {
	select {
	case p.dirty <- struct{}{}:
	default:
	}
}

// Run writes status when touched, at most once per Interval, until ctx is done.
func (p *Publisher) Run(ctx context.Context) {
	retry := time.NewTicker(5 * time.Second)
	defer retry.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.dirty:
		case <-retry.C: // a write that failed is tried again
		}
		if err := p.Write(ctx); err != nil && ctx.Err() == nil {
			p.log.Warn("status write failed; will retry", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(p.o.Interval):
		}
	}
}

// Write sends whatever differs from what was last written.
func (p *Publisher) Write(ctx context.Context) error {
	p.mu.Lock()
	rep, ok := p.rep, p.haveRep
	p.mu.Unlock()
	if !ok {
		return nil
	}
	sessions := map[string]*router.Session{}
	if ss, err := p.o.Sessions(ctx); err == nil {
		for i := range ss {
			sessions[ss[i].Peer] = &ss[i]
		}
	}
	var errs []error
	want := map[string]v1beta2.BGPPeerNodeStatus{}
	for _, pr := range rep.Peers {
		e := PeerEntry(p.o.NodeName, pr, sessions[pr.Name], rep.Findings, rep)
		if p.o.BFD != nil {
			var problem string
			e.BFD, problem = p.o.BFD(pr.Name)
			e.LastError = joinNonEmpty(e.LastError, problem)
		}
		want[pr.Name] = e
	}
	for _, name := range slices.Sorted(maps.Keys(want)) {
		if old, ok := p.written[name]; ok && apiequality.Semantic.DeepEqual(old, want[name]) {
			continue
		}
		e := want[name]
		if err := p.applyPeer(ctx, name, &e); err != nil {
			errs = append(errs, err)
			continue
		}
		p.written[name] = e
	}
	for name := range p.written {
		if _, ok := want[name]; !ok { // this node no longer runs the peer: drop our entry
			if err := p.applyPeer(ctx, name, nil); err != nil && !apierrors.IsNotFound(err) {
				errs = append(errs, err)
				continue
			}
			delete(p.written, name)
		}
	}
	cs := ConfigState(rep)
	if p.writtenCS == nil || !apiequality.Semantic.DeepEqual(*p.writtenCS, cs) {
		if err := p.writeConfigState(ctx, cs); err != nil {
			errs = append(errs, err)
		} else {
			p.writtenCS = &cs
		}
	}
	return errors.Join(errs...)
}

// applyPeer server-side-applies this node's entry (nil: none) of one BGPPeer's
// status.nodes, as field manager bgplb-speaker-<node>. nodes is a map-list keyed by
// node, so each speaker owns its entry and never touches the others'.
func (p *Publisher) applyPeer(ctx context.Context, name string, e *v1beta2.BGPPeerNodeStatus) error {
	nodes := []any{}
	if e != nil {
		raw, err := json.Marshal(e)
		if err != nil {
			return err
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			return err
		}
		nodes = append(nodes, m)
	}
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": v1beta2.GroupVersion.String(), "kind": "BGPPeer",
		"metadata": map[string]any{"name": name, "namespace": p.o.Namespace},
		"status":   map[string]any{"nodes": nodes},
	}}
	data, err := json.Marshal(obj.Object)
	if err != nil {
		return err
	}
	err = p.o.Client.Status().Patch(ctx, obj, client.RawPatch(types.ApplyPatchType, data),
		client.FieldOwner(FieldManager(p.o.NodeName)), client.ForceOwnership)
	if err != nil {
		return fmt.Errorf("BGPPeer %s/%s status: %w", p.o.Namespace, name, err)
	}
	return nil
}

// writeConfigState creates speaker-<node> when missing and updates its status.
func (p *Publisher) writeConfigState(ctx context.Context, want v1beta1.ConfigurationStateStatus) error {
	name := ConfigStateName(p.o.NodeName)
	key := types.NamespacedName{Namespace: p.o.Namespace, Name: name}
	var cs v1beta1.ConfigurationState
	err := p.o.Client.Get(ctx, key, &cs)
	if apierrors.IsNotFound(err) {
		cs = v1beta1.ConfigurationState{ObjectMeta: metav1.ObjectMeta{Namespace: p.o.Namespace, Name: name,
			Labels: map[string]string{LabelComponentType: ComponentSpeaker, LabelNodeName: p.o.NodeName}}}
		if err = p.o.Client.Create(ctx, &cs); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("create ConfigurationState %s: %w", key, err)
		}
		err = p.o.Client.Get(ctx, key, &cs)
	}
	if err != nil {
		return fmt.Errorf("get ConfigurationState %s: %w", key, err)
	}
	v1beta1.StampConditions(want.Conditions, cs.Status.Conditions, metav1.Now())
	if apiequality.Semantic.DeepEqual(cs.Status, want) {
		return nil
	}
	cs.Status = want
	if err := p.o.Client.Status().Update(ctx, &cs); err != nil {
		return fmt.Errorf("update ConfigurationState %s: %w", key, err)
	}
	return nil
}

func cutKey(key string) (ns, name string, ok bool) {
	for i := range len(key) {
		if key[i] == '/' {
			return key[:i], key[i+1:], true
		}
	}
	return "", key, false
}

func joinNonEmpty(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}
