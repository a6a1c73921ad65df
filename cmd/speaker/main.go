// Command speaker is bgplb's per-node BGP speaker; see speaker/app.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/bgplb/bgplb/speaker/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := app.Run(ctx, nil, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.Is(err, app.ErrUsage):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "speaker:", err)
		os.Exit(1)
	}
}
