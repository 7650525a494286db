package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"gitops/tools/internal/awsaccess"
	"gitops/tools/internal/bake"
	"gitops/tools/internal/stacks"
)

func runBake(args []string, stdout, stderr io.Writer) int {
	return bakeCommand{}.run(args, stdout, stderr)
}

// bakeCommand is gitops bake. Its fields stand in for what no emulator
// has (ImageBuilder) and for the wall clock; the zero value is the real
// command.
type bakeCommand struct {
	// clients opens the AWS clients given the caller's access; nil is the
	// real ones.
	clients func(access *awsaccess.Access) bake.Clients
	clock   bake.Clock
}

func (c bakeCommand) run(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("bake", stderr)
	root := fs.String("root", ".", "repository `dir`ectory holding generated/")
	generated := fs.String("generated", "generated", "compiled `dir`ectory with manifest.json; a relative path is taken from --root")
	timeout := fs.Duration("timeout", bake.DefaultTimeout, "how long to wait for one image build")
	noCascade := fs.Bool("no-cascade", false, "bake only the named recipe, not the recipes built on it")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: gitops bake <recipe> [flags]\n\nBuilds the recipe's AMI with its ImageBuilder pipeline and writes the AMI id\nto its SSM parameter in every distribution account and region; then re-bakes\nthe recipes built on it.\n\nflags:")
		fs.PrintDefaults()
	}
	positional, ok := parseInterleaved(fs, args)
	if !ok {
		return ExitUsage
	}
	if len(positional) != 1 {
		fs.Usage()
		return ExitUsage
	}
	recipe := positional[0]
	m, err := stacks.ReadManifest(generatedDir(*root, *generated))
	if err != nil {
		fmt.Fprintf(stderr, "gitops bake: %v\n", err)
		return ExitUsage
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	access, err := awsaccess.Load(ctx, "gitops-bake")
	if err != nil {
		fmt.Fprintf(stderr, "gitops bake: %v\n", err)
		return ExitFindings
	}
	var clients bake.Clients = bake.AWSClients{Access: access}
	if c.clients != nil {
		clients = c.clients(access)
	}
	b := &bake.Baker{
		Operations: &m.Operations,
		Clients:    clients,
		Out:        stdout,
		Clock:      c.clock,
		Timeout:    *timeout,
		NoCascade:  *noCascade,
	}
	results, err := b.Bake(ctx, recipe)
	if err != nil {
		fmt.Fprintf(stderr, "gitops bake: %v\n", err)
		return ExitFindings
	}
	for _, r := range results {
		fmt.Fprintf(stdout, "baked %s: %s, label %s, %d parameter(s) written\n", r.Recipe, r.Image, r.Label, len(r.Published))
	}
	return ExitOK
}

// parseInterleaved parses flags that may stand before, between or after
// positional arguments, and returns the positional ones.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, bool) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, false
		}
		if fs.NArg() == 0 {
			return positional, true
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
