package manifest

import (
	"bytes"
)

// document is one YAML document of a stream, with the lines needed to report on it.
type document struct {
	body []byte
	// firstLine is the file line of body's first line: YAML errors count from there.
	firstLine int
	// contentLine is the first line that is neither blank nor a comment: where the
	// object starts, as a reader sees it.
	contentLine int
}

// splitDocuments cuts a YAML stream at its "---" separators, keeping line numbers.
// Documents holding only comments and blank lines are dropped: they are what a stream
// looks like between a leading "---" and the first object, or after a trailing one.
//
// The splitter is line based, as YAML's separator is: a line that is exactly "---", or
// "---" followed by a space (and, say, a comment). "..." (end of document) ends a
// document too.
func splitDocuments(data []byte) []document {
	var docs []document
	cur := document{firstLine: 1}
	flush := func() {
		if cur.contentLine != 0 {
			docs = append(docs, cur)
		}
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	for i, raw := range lines {
		n := i + 1
		line := bytes.TrimRight(raw, "\r\n")
		if isSeparator(line) {
			flush()
			cur = document{firstLine: n + 1}
			continue
		}
		cur.body = append(cur.body, raw...)
		if cur.contentLine == 0 && hasContent(line) {
			cur.contentLine = n
		}
	}
	flush()
	return docs
}

func isSeparator(line []byte) bool {
	for _, marker := range [][]byte{[]byte("---"), []byte("...")} {
		if bytes.Equal(line, marker) ||
			(bytes.HasPrefix(line, marker) && (line[3] == ' ' || line[3] == '\t')) {
			return true
		}
	}
	return false
}

// hasContent reports whether a line is more than blanks and a comment. A "%YAML"
// directive does not count as content either.
func hasContent(line []byte) bool {
	t := bytes.TrimSpace(line)
	return len(t) > 0 && t[0] != '#' && t[0] != '%'
}
