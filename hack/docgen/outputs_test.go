package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bgplb/bgplb/cli"
)

// TestDocsOutputsAreReal reruns every `$ bin/bgplb ...` block in docs/*.md whose
// command reads only files (lint, router-config, lab topologies) and fails when its
// output is no longer what the block shows.
func TestDocsOutputsAreReal(t *testing.T) {
	block := regexp.MustCompile("(?s)```\n\\$ bin/bgplb ([^\n]*)\n(.*?)```")
	type shown struct{ file, cmd, out string }
	var blocks []shown
	for _, d := range readDocs(t) {
		for _, m := range block.FindAllStringSubmatch(d.text, -1) {
			blocks = append(blocks, shown{filepath.Base(d.path), m[1], m[2]})
		}
	}
	t.Chdir("../..") // the commands in the docs run from the repository root
	checked := 0
	for _, b := range blocks {
		args := strings.Fields(b.cmd)
		if !readsOnlyFiles(args) {
			t.Logf("%s: not rerun (needs a running lab or cluster): bgplb %s", b.file, b.cmd)
			continue
		}
		var out bytes.Buffer
		cli.Run(context.Background(), args, cli.Streams{In: strings.NewReader(""), Out: &out, Err: &out})
		if out.String() != b.out {
			t.Errorf("%s: bgplb %s now prints:\n%s\nthe doc shows:\n%s", b.file, b.cmd, out.String(), b.out)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no bgplb output blocks found in docs/*.md")
	}
}

func readsOnlyFiles(args []string) bool {
	switch {
	case len(args) == 0:
		return false
	case args[0] == "lint", args[0] == "router-config":
		return true
	case len(args) == 2 && args[0] == "lab" && args[1] == "topologies":
		return true
	}
	return false
}
