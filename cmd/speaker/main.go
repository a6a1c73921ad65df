// Command speaker is the per-node BGP speaker. Until its issue (#5) lands it only prints its version.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/bgplb/bgplb/internal/version"
)

func main() {
	fs := flag.NewFlagSet("speaker", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "speaker: the per-node BGP speaker of bgplb.\n\nNot implemented yet (issue #5): it prints its version and exits.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	showVersion := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(os.Args[1:]); err != nil {
		if err == flag.ErrHelp {
			os.Exit(0)
		}
		os.Exit(2)
	}
	_ = showVersion
	fmt.Println("speaker", version.Version, "(not implemented yet: see issue #5)")
}
