package lint

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// WriteText writes one line per finding, in the FILE:LINE: form editors and CI log
// viewers turn into links, each followed by an indented hint, then a summary line:
//
//	a.yaml:12: warning: BGPAdvertisement/x spec.localPref: message
//	    hint: how to write it properly
//	0 errors, 1 warning in 5 objects from 2 files
func (r Report) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	for _, group := range [][]Finding{r.Errors, r.Warnings} {
		for _, f := range group {
			ew.printf("%s\n", f.String())
			if f.Hint != "" {
				ew.printf("    hint: %s\n", f.Hint)
			}
		}
	}
	ew.printf("%s\n", r.Summary())
	return ew.err
}

// String renders the finding's first line (without its hint).
func (f Finding) String() string {
	s := f.Location()
	if s != "" {
		s += ": "
	}
	s += fmt.Sprintf("%s: %s/%s", f.Severity, f.Kind, f.Name)
	if f.Field != "" {
		s += " " + f.Field
	}
	return s + ": " + f.Message
}

// Location is "FILE:LINE", or "" when the finding could not be placed in the input.
func (f Finding) Location() string {
	if f.File == "" {
		return ""
	}
	return f.File + ":" + strconv.Itoa(f.Line)
}

// Summary is the last line of the text output.
func (r Report) Summary() string {
	s := fmt.Sprintf("%s, %s in %s from %s",
		plural(len(r.Errors), "error"), plural(len(r.Warnings), "warning"),
		plural(r.Objects, "object"), plural(r.Files, "file"))
	if r.Skipped > 0 {
		s += fmt.Sprintf(" (%s of other kinds skipped)", plural(r.Skipped, "document"))
	}
	return s
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// WriteJSON writes the report as one indented JSON object:
// {"valid": bool, "errors": [...], "warnings": [...], "objects", "skipped", "files"}.
// Both lists are always present, empty rather than null.
func (r Report) WriteJSON(w io.Writer) error {
	if r.Errors == nil {
		r.Errors = []Finding{}
	}
	if r.Warnings == nil {
		r.Warnings = []Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// errWriter keeps the first write error so that rendering code stays linear.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
