package corpus

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
	"github.com/bgplb/bgplb/cli/lint"
	"github.com/bgplb/bgplb/config"
	"github.com/bgplb/bgplb/config/manifest"
	"github.com/bgplb/bgplb/controller/admission"
	controller "github.com/bgplb/bgplb/controller/k8s"
	"github.com/bgplb/bgplb/controller/webhook"
)

const ns = config.DefaultNamespace

// header is a case's expectation.
type header struct {
	verdict, metallb, layer, why string
	errors, warnings             []string
}

func readHeader(t *testing.T, path string) header {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var h header
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), "# ")
		if !ok {
			break
		}
		k, v, _ := strings.Cut(line, ": ")
		switch k {
		case "verdict":
			h.verdict = v
		case "metallb":
			h.metallb = v
		case "layer":
			h.layer = v
		case "why":
			h.why = v
		case "errors":
			h.errors = strings.Fields(v)
		case "warnings":
			h.warnings = strings.Fields(v)
		}
	}
	if h.verdict != "accept" && h.verdict != "refuse" || h.metallb == "" || h.why == "" {
		t.Fatalf("%s: header needs verdict (accept|refuse), metallb and why: %+v", path, h)
	}
	return h
}

func codes(fs []lint.Finding) []string {
	var out []string
	for _, f := range fs {
		if !slices.Contains(out, f.Code) {
			out = append(out, f.Code)
		}
	}
	slices.Sort(out)
	return out
}

// TestCorpus: lint, the admission webhook and the controller give every case the
// verdict its header states.
func TestCorpus(t *testing.T) {
	paths, err := filepath.Glob("../../config/testdata/corpus/*.yaml")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no corpus cases: %v", err)
	}
	differences := 0
	for _, path := range paths {
		name := strings.TrimSuffix(filepath.Base(path), ".yaml")
		t.Run(name, func(t *testing.T) {
			h := readHeader(t, path)
			set, err := manifest.Load([]string{path}, nil)
			if err != nil {
				t.Fatal(err)
			}
			rep := lint.Lint(set, lint.Options{Namespace: ns})
			lintAccepts := rep.Valid
			if want := h.verdict == "accept"; lintAccepts != want {
				t.Errorf("lint: valid=%v, want %s; errors %v", lintAccepts, h.verdict, rep.Errors)
			}
			wantErrs := slices.Clone(h.errors)
			slices.Sort(wantErrs)
			if got := codes(rep.Errors); !slices.Equal(got, wantErrs) {
				t.Errorf("lint error codes %q, want %q", got, wantErrs)
			}
			for _, w := range h.warnings {
				if !slices.Contains(codes(rep.Warnings), w) {
					t.Errorf("lint warnings %q lack %q", codes(rep.Warnings), w)
				}
			}
			if h.layer == "schema" {
				// The API server refuses these by the CRD schema before the webhook
				// or the controller could see them (deploy/crds carries the minimum).
				return
			}
			res := set.Resources(ns)
			cfg, fs := controller.Evaluate(res, ns)
			if (cfg != nil) != lintAccepts {
				t.Errorf("controller: config valid=%v, lint valid=%v; controller errors %v", cfg != nil, lintAccepts, fs.Errors())
			}
			if webhook, denied := admitInTurn(t, res); webhook != lintAccepts {
				t.Errorf("webhook: admitted=%v, lint valid=%v; denied %v", webhook, lintAccepts, denied)
			}
		})
		if h := readHeader(t, path); h.metallb != h.verdict {
			differences++
		}
	}
	t.Logf("%d cases, %d deliberate differences from MetalLB", len(paths), differences)
}

// admitInTurn creates the case's objects one by one through the webhook's handler,
// referenced kinds first (as one applies them), starting from the Secrets, Nodes and
// Namespaces, which the webhook does not judge. It reports whether every creation
// was admitted, and the denials.
func admitInTurn(t *testing.T, all config.Resources) (bool, []string) {
	t.Helper()
	cur := config.Resources{Secrets: all.Secrets, Nodes: all.Nodes, Namespaces: all.Namespaces}
	var changes []admission.Change
	changes = creations(changes, config.KindBFDProfile, all.BFDProfiles, func(o *v1beta1.BFDProfile) string { return o.Name })
	changes = creations(changes, config.KindCommunity, all.Communities, func(o *v1beta1.Community) string { return o.Name })
	changes = creations(changes, config.KindIPAddressPool, all.Pools, func(o *v1beta1.IPAddressPool) string { return o.Name })
	changes = creations(changes, config.KindBGPPeer, all.Peers, func(o *v1beta2.BGPPeer) string { return o.Name })
	changes = creations(changes, config.KindBGPPeer, all.LegacyPeers, func(o *v1beta1.BGPPeer) string { return o.Name })
	changes = creations(changes, config.KindBGPAdvertisement, all.BGPAdvertisements, func(o *v1beta1.BGPAdvertisement) string { return o.Name })
	changes = creations(changes, config.KindL2Advertisement, all.L2Advertisements, func(o *v1beta1.L2Advertisement) string { return o.Name })
	h := &webhook.Handler{Namespace: ns, Log: slog.New(slog.DiscardHandler),
		Snapshot: func(context.Context) (config.Resources, error) { return cur, nil }}
	ok := true
	var denied []string
	for _, ch := range changes {
		resp := review(t, h, ch)
		if !resp.Allowed {
			ok = false
			denied = append(denied, resp.Result.Message)
			continue // a refused object is not stored
		}
		cur = stored(cur, ch)
	}
	return ok, denied
}

// review sends one creation through the webhook's HTTP handler as the API server
// would, and returns its answer.
func review(t *testing.T, h http.Handler, ch admission.Change) *admissionv1.AdmissionResponse {
	t.Helper()
	raw, err := json.Marshal(ch.Object)
	if err != nil {
		t.Fatal(err)
	}
	version := "v1beta1"
	if _, ok := ch.Object.(*v1beta2.BGPPeer); ok {
		version = "v1beta2"
	}
	in := admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
		Request: &admissionv1.AdmissionRequest{UID: "corpus", Operation: admissionv1.Create, Namespace: ns, Name: ch.Name,
			Kind:   metav1.GroupVersionKind{Group: "metallb.io", Version: version, Kind: ch.Kind},
			Object: runtime.RawExtension{Raw: raw}},
	}
	body, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, webhook.Path, bytes.NewReader(body)))
	var out admissionv1.AdmissionReview
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || out.Response == nil {
		t.Fatalf("webhook answered %d %q: %v", rec.Code, rec.Body.String(), err)
	}
	return out.Response
}

// creations appends a Create change for each item.
func creations[T any](out []admission.Change, kind string, items []T, name func(*T) string) []admission.Change {
	for i := range items {
		out = append(out, admission.Change{Op: admission.Create, Kind: kind, Name: name(&items[i]), Object: &items[i]})
	}
	return out
}

// stored returns cur with the admitted creation in it.
func stored(cur config.Resources, ch admission.Change) config.Resources {
	switch o := ch.Object.(type) {
	case *v1beta1.BFDProfile:
		cur.BFDProfiles = append(cur.BFDProfiles, *o)
	case *v1beta1.Community:
		cur.Communities = append(cur.Communities, *o)
	case *v1beta1.IPAddressPool:
		cur.Pools = append(cur.Pools, *o)
	case *v1beta2.BGPPeer:
		cur.Peers = append(cur.Peers, *o)
	case *v1beta1.BGPPeer:
		cur.LegacyPeers = append(cur.LegacyPeers, *o)
	case *v1beta1.BGPAdvertisement:
		cur.BGPAdvertisements = append(cur.BGPAdvertisements, *o)
	case *v1beta1.L2Advertisement:
		cur.L2Advertisements = append(cur.L2Advertisements, *o)
	}
	return cur
}
