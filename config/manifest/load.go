package manifest

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// StdinName is the file name given to objects read from standard input.
const StdinName = "<stdin>"

// Load reads each path in order: "-" is stdin, a directory contributes its *.yaml, *.yml
// and *.json files in lexical order (not recursing, like `kubectl apply -f DIR`), and
// anything else is read as a file. Every unreadable input and broken document is
// reported, joined into the error; the Set holds whatever could be decoded.
func Load(paths []string, stdin io.Reader) (*Set, error) {
	d := NewDecoder()
	set := &Set{}
	var errs []error
	for _, p := range paths {
		files, err := Expand(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, f := range files {
			s, err := d.decodeInput(f, stdin)
			set.Merge(s)
			if err != nil {
				errs = append(errs, err)
			}
		}
	}
	return set, errors.Join(errs...)
}

func (d *Decoder) decodeInput(path string, stdin io.Reader) (*Set, error) {
	if path == "-" {
		if stdin == nil {
			return &Set{}, errors.New("-: no standard input")
		}
		return d.Decode(stdin, StdinName)
	}
	f, err := os.Open(path)
	if err != nil {
		return &Set{}, err // *PathError already names the file
	}
	defer f.Close()
	return d.Decode(f, path)
}

// Expand turns one path argument into the files it stands for, as Load reads them:
// "-" itself, a file, or a directory's manifests in lexical order.
func Expand(path string) ([]string, error) {
	if path == "-" {
		return []string{"-"}, nil
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return []string{path}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		if e.Type().IsRegular() && IsManifestName(e.Name()) {
			files = append(files, filepath.Join(path, e.Name()))
		}
	}
	sort.Strings(files) // ReadDir sorts already; say so in code rather than rely on it
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no *.yaml, *.yml or *.json files in directory", path)
	}
	return files, nil
}

// IsManifestName reports whether a file name in a directory is read as a manifest.
// Hidden files (editor swap files, .kustomize caches) are not.
func IsManifestName(name string) bool {
	if strings.HasPrefix(name, ".") {
		return false
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}
