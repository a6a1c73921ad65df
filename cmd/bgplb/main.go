// Command bgplb is the operator's tool: lint configurations, run labs, inspect clusters.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/bgplb/bgplb/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], cli.Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr})
	stop()
	os.Exit(code)
}
