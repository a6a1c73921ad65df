package render

import (
	"fmt"
	"sort"
	"strings"
)

// File is one rendered configuration file, relative to the router's config directory.
type File struct {
	Path    string
	Content []byte
}

// Renderer turns router intent into the files of one NOS. Renderers are pure: they
// never touch the file system; the backend writes what they return.
type Renderer interface {
	// Kind is the router kind this renderer serves ("frr", "bird", ...).
	Kind() string
	// Render returns the NOS's files for r, or an error naming what r asks for that the
	// NOS cannot express.
	Render(r Router) ([]File, error)
}

// Registry maps router kinds to renderers. Renderers are added explicitly by whoever
// builds the registry (see the all package), never by init side effects.
type Registry struct {
	byKind map[string]Renderer
}

// NewRegistry returns a registry holding the given renderers.
func NewRegistry(rs ...Renderer) *Registry {
	reg := &Registry{byKind: map[string]Renderer{}}
	for _, r := range rs {
		reg.Register(r)
	}
	return reg
}

// Register adds r; a second renderer for the same kind is a programming error.
func (reg *Registry) Register(r Renderer) {
	if _, dup := reg.byKind[r.Kind()]; dup {
		panic(fmt.Sprintf("render: two renderers for kind %q", r.Kind()))
	}
	reg.byKind[r.Kind()] = r
}

// Kinds lists the registered kinds, sorted.
func (reg *Registry) Kinds() []string {
	out := make([]string, 0, len(reg.byKind))
	for k := range reg.byKind {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Render renders r with the renderer for kind.
func (reg *Registry) Render(kind string, r Router) ([]File, error) {
	rd, ok := reg.byKind[kind]
	if !ok {
		return nil, fmt.Errorf("router %s: unknown kind %q (valid kinds: %s)", r.Name, kind, strings.Join(reg.Kinds(), ", "))
	}
	return rd.Render(r)
}
