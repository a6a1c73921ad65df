package manifest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	kjson "k8s.io/apimachinery/pkg/runtime/serializer/json"
	"sigs.k8s.io/yaml"

	"github.com/bgplb/bgplb/api/v1beta1"
	"github.com/bgplb/bgplb/api/v1beta2"
)

// metallbGroup is the API group whose documents must all decode: a typo in the kind of
// a MetalLB object is a mistake to report, not a document to skip.
const metallbGroup = "metallb.io"

// operatorKinds are metallb.io kinds that belong to the MetalLB operator, not to the
// configuration; they are skipped like any foreign document.
var operatorKinds = map[string]bool{"MetalLB": true}

// Scheme returns a scheme holding every type a manifest is decoded into: the metallb.io
// API and the four core/v1 kinds the configuration needs. Only those four are
// registered, so that other core kinds (Pods, ConfigMaps...) are skipped, not decoded.
func Scheme() *runtime.Scheme {
	s := runtime.NewScheme()
	// These only fail on programming errors (a type registered twice).
	must(v1beta1.AddToScheme(s))
	must(v1beta2.AddToScheme(s))
	s.AddKnownTypes(corev1.SchemeGroupVersion,
		&corev1.Secret{}, &corev1.Node{}, &corev1.Namespace{}, &corev1.Service{})
	return s
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// Decoder decodes manifests; it is safe for concurrent use.
type Decoder struct {
	scheme *runtime.Scheme
	codec  *kjson.Serializer
}

// NewDecoder returns a decoder over Scheme().
func NewDecoder() *Decoder {
	s := Scheme()
	return &Decoder{
		scheme: s,
		codec:  kjson.NewSerializerWithOptions(kjson.DefaultMetaFactory, s, s, kjson.SerializerOptions{Strict: true}),
	}
}

// Decode reads every document of r (named file in sources and errors) with a fresh
// Decoder. See (*Decoder).Decode.
func Decode(r io.Reader, file string) (*Set, error) {
	return NewDecoder().Decode(r, file)
}

// Decode reads every document of r. It returns an error, naming file:line, when r cannot
// be read or a document is not valid YAML or not a Kubernetes object; every such
// document is reported, joined. Documents that are YAML objects but do not fit the API
// become Issues in the returned Set, which is never nil.
func (d *Decoder) Decode(r io.Reader, file string) (*Set, error) {
	set := &Set{Files: []string{file}}
	data, err := io.ReadAll(r)
	if err != nil {
		return set, fmt.Errorf("%s: %w", file, err)
	}
	var errs []error
	for _, doc := range splitDocuments(data) {
		src := Source{File: file, Line: doc.contentLine}
		js, err := yaml.YAMLToJSONStrict(doc.body)
		if err != nil {
			errs = append(errs, yamlError(file, doc.firstLine, err))
			continue
		}
		if err := d.decodeJSON(set, src, js); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", src, err))
		}
	}
	return set, errors.Join(errs...)
}

// header is the part of a document every object has.
type header struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
	// Items holds the members of a v1 List (what `kubectl get -o yaml` prints).
	Items []json.RawMessage `json:"items"`
}

func (d *Decoder) decodeJSON(set *Set, src Source, js []byte) error {
	var h header
	if err := json.Unmarshal(js, &h); err != nil {
		return fmt.Errorf("document is not a Kubernetes object: %w", err)
	}
	if h.APIVersion == "" || h.Kind == "" {
		return errors.New("document is not a Kubernetes object: apiVersion and kind are required")
	}
	gv, err := schema.ParseGroupVersion(h.APIVersion)
	if err != nil {
		return fmt.Errorf("apiVersion %q: %w", h.APIVersion, err)
	}
	gvk := gv.WithKind(h.Kind)
	if gvk == corev1.SchemeGroupVersion.WithKind("List") {
		for _, item := range h.Items {
			if err := d.decodeJSON(set, src, item); err != nil {
				return err
			}
		}
		return nil
	}
	issue := Issue{Source: src, Kind: h.Kind, Namespace: h.Metadata.Namespace, Name: h.Metadata.Name}
	if !d.scheme.Recognizes(gvk) {
		if gv.Group == metallbGroup && !operatorKinds[h.Kind] {
			issue.Reason = ReasonUnknownKind
			issue.Message = fmt.Sprintf("%s has no kind %s", h.APIVersion, h.Kind)
			set.Issues = append(set.Issues, issue)
			return nil
		}
		set.Skipped = append(set.Skipped, Skipped{Source: src, APIVersion: h.APIVersion, Kind: h.Kind, Name: h.Metadata.Name})
		return nil
	}
	obj, _, err := d.codec.Decode(js, nil, nil)
	strict, isStrict := runtime.AsStrictDecodingError(err)
	switch {
	case isStrict:
		for _, e := range strict.Errors() {
			set.Issues = append(set.Issues, strictIssue(issue, e))
		}
	case err != nil:
		set.Issues = append(set.Issues, invalidIssue(issue, err))
		return nil
	}
	set.Issues = append(set.Issues, schemaIssues(issue, gvk, js)...)
	normalize(obj)
	set.Objects = append(set.Objects, Object{
		Source: src, APIVersion: h.APIVersion, Kind: h.Kind,
		Namespace: h.Metadata.Namespace, Name: h.Metadata.Name, Object: obj,
	})
	return nil
}

// strictFieldRE extracts the field path from the strict decoder's messages, which read
// `unknown field "spec.peerAdress"` or `duplicate field "spec.myASN"`.
var strictFieldRE = regexp.MustCompile(`^(unknown|duplicate) field "([^"]*)"`)

func strictIssue(base Issue, err error) Issue {
	base.Message = err.Error()
	base.Reason = ReasonInvalid
	if m := strictFieldRE.FindStringSubmatch(err.Error()); m != nil {
		base.Field = m[2]
		if m[1] == "unknown" {
			base.Reason = ReasonUnknownField
			base.Message = "unknown field"
		} else {
			base.Reason = ReasonDuplicateField
			base.Message = "field given twice; the last value wins"
		}
	}
	return base
}

// typeErrorRE picks the field and types out of encoding/json's type errors:
// "json: cannot unmarshal string into Go struct field BGPPeerSpec.spec.myASN of type uint32".
var typeErrorRE = regexp.MustCompile(`cannot unmarshal (\S+) into Go struct field \S+?\.(\S+) of type (\S+)`)

func invalidIssue(base Issue, err error) Issue {
	base.Reason = ReasonInvalid
	base.Message = err.Error()
	if m := typeErrorRE.FindStringSubmatch(err.Error()); m != nil {
		base.Field = m[2]
		base.Message = fmt.Sprintf("a %s where the API wants a %s; the object is left out", m[1], m[3])
	}
	return base
}

// normalize does what the API server would do on create, so that a linted file means
// what the applied file means: a Secret's stringData is merged into data.
func normalize(obj runtime.Object) {
	if s, ok := obj.(*corev1.Secret); ok && len(s.StringData) > 0 {
		if s.Data == nil {
			s.Data = map[string][]byte{}
		}
		for k, v := range s.StringData {
			s.Data[k] = []byte(v)
		}
		s.StringData = nil
	}
}

// yamlLineRE finds the document-relative line number in go-yaml's messages
// ("yaml: line 3: mapping values are not allowed in this context").
var yamlLineRE = regexp.MustCompile(`line (\d+)`)

// yamlError rebases the line number of a YAML error from the document to the file.
func yamlError(file string, firstLine int, err error) error {
	line := firstLine
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		if n, convErr := strconv.Atoi(m[1]); convErr == nil {
			line = firstLine + n - 1
		}
	}
	return fmt.Errorf("%s:%d: invalid YAML: %w", file, line, err)
}
