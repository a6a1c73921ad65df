// Command controller is the IP-allocating controller. Until its issue (#4) lands it only prints its version.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/bgplb/bgplb/internal/version"
)

func main() {
	fs := flag.NewFlagSet("controller", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "controller: the IP-allocating controller of bgplb.\n\nNot implemented yet (issue #4): it prints its version and exits.\n\nFlags:\n")
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
	fmt.Println("controller", version.Version, "(not implemented yet: see issue #4)")
}
