// Package manifest reads Kubernetes manifests (multi-document YAML or JSON) into typed
// objects of the bgplb/MetalLB API, remembering where each object came from so that
// tools can point a user at FILE:LINE.
//
// Decoding is pure (Decode works on an io.Reader); Load is the small adapter that walks
// files, directories and standard input. Only the kinds bgplb acts on are decoded:
// everything in metallb.io, plus core/v1 Secret, Node, Namespace and Service. Any other
// document (a Deployment, a ServiceMonitor...) is counted in Skipped, not rejected, so a
// whole application's manifests can be linted as they are.
package manifest

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
)

// Source is where an object was written: the file (or "<stdin>") and the line of the
// first non-comment line of its YAML document, which is what an editor should jump to.
type Source struct {
	File string `json:"file"`
	Line int    `json:"line"`
}

func (s Source) String() string {
	if s.File == "" {
		return "<unknown>"
	}
	return fmt.Sprintf("%s:%d", s.File, s.Line)
}

// Object is one decoded object and its origin.
type Object struct {
	Source     Source
	APIVersion string
	Kind       string
	Namespace  string
	Name       string
	// Object is the typed object: *v1beta1.IPAddressPool, *v1beta2.BGPPeer,
	// *corev1.Secret, ... (see Scheme for the full list).
	Object runtime.Object
}

// Skipped is a document of a kind bgplb does not act on.
type Skipped struct {
	Source     Source
	APIVersion string
	Kind       string
	Name       string
}

// Issue is a document that is valid YAML but does not fit the API: an unknown or
// duplicated field, a value of the wrong type, an unknown metallb.io kind. These are
// configuration mistakes (a linter reports them like any other finding), unlike an
// unreadable file or broken YAML, which Decode and Load return as errors.
type Issue struct {
	Source    Source
	Kind      string
	Namespace string
	Name      string
	// Field is the JSON path of the offending field ("spec.peerAdress"), when known.
	Field   string
	Message string
	// Reason classifies the issue; see the Reason constants.
	Reason Reason
}

// Reason classifies an Issue.
type Reason string

// The reasons of an Issue.
const (
	// ReasonUnknownField: a field the API does not have (often a typo); the object is
	// still decoded, without that field.
	ReasonUnknownField Reason = "unknown-field"
	// ReasonDuplicateField: the same field twice in one object; the last one wins.
	ReasonDuplicateField Reason = "duplicate-field"
	// ReasonInvalid: the document could not be decoded into its type (wrong value type);
	// the object is left out.
	ReasonInvalid Reason = "invalid"
	// ReasonUnknownKind: a metallb.io kind or version that does not exist; left out.
	ReasonUnknownKind Reason = "unknown-kind"
	// ReasonSchema: a value MetalLB's CRD schema refuses, which the typed object
	// cannot show (an explicit 0 where the schema's minimum is 1 decodes like an
	// absent field). The API server would refuse the object.
	ReasonSchema Reason = "schema"
)

func (i Issue) String() string {
	s := fmt.Sprintf("%s: %s/%s", i.Source, i.Kind, i.Name)
	if i.Field != "" {
		s += " " + i.Field
	}
	return s + ": " + i.Message
}

// Set is everything read from one or more inputs, in input order.
type Set struct {
	Objects []Object
	Skipped []Skipped
	Issues  []Issue
	// Files lists the inputs read, in order ("<stdin>" for standard input).
	Files []string
}

// Merge appends other's contents to s.
func (s *Set) Merge(other *Set) {
	s.Objects = append(s.Objects, other.Objects...)
	s.Skipped = append(s.Skipped, other.Skipped...)
	s.Issues = append(s.Issues, other.Issues...)
	s.Files = append(s.Files, other.Files...)
}

// Find returns the first object of the given kind and name. namespace "" matches any
// namespace, which is what callers holding only a (kind, name) pair want.
func (s *Set) Find(kind, namespace, name string) (Object, bool) {
	for _, o := range s.Objects {
		if o.Kind == kind && o.Name == name && (namespace == "" || o.Namespace == namespace) {
			return o, true
		}
	}
	return Object{}, false
}

// Redefined is an object that a later document of the same kind, namespace and name
// replaces, as `kubectl apply` of the same inputs would.
type Redefined struct {
	Earlier, Later Object
}

// Latest returns the set with every object that a later one redefines left out (the
// last definition wins, as when the inputs are applied in order), and what was left
// out. Namespaces are compared after defaulting to defaultNamespace; the two BGPPeer
// versions are one kind.
func (s *Set) Latest(defaultNamespace string) (*Set, []Redefined) {
	key := func(o Object) string {
		ns := o.Namespace
		if ns == "" {
			ns = defaultNamespace
		}
		if o.Kind == "Node" || o.Kind == "Namespace" {
			ns = "" // cluster-scoped
		}
		return o.Kind + "/" + ns + "/" + o.Name
	}
	last := map[string]int{}
	for i, o := range s.Objects {
		last[key(o)] = i
	}
	out := &Set{Skipped: s.Skipped, Issues: s.Issues, Files: s.Files}
	var redefs []Redefined
	for i, o := range s.Objects {
		if j := last[key(o)]; j != i {
			redefs = append(redefs, Redefined{Earlier: o, Later: s.Objects[j]})
			continue
		}
		out.Objects = append(out.Objects, o)
	}
	return out, redefs
}
