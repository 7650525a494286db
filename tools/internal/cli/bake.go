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
	"gitops/tools/internal/diag"
	"gitops/tools/internal/stacks"
)

// bakeClients opens the AWS clients of gitops bake; tests replace it.
var bakeClients = func(ctx context.Context) (bake.Clients, error) {
	access, err := awsaccess.Load(ctx, "gitops-bake")
	if err != nil {
		return nil, err
	}
	// Other accounts' AMI parameters are written through their publish
	// role, which may write those parameters and nothing else.
	return bake.AWSClients{Access: access.UseRole(stacks.PublishRoleName)}, nil
}

// bakeClock paces gitops bake; tests replace it.
var bakeClock bake.Clock

func runBake(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("bake", stderr)
	root := fs.String("root", ".", "repository `dir`ectory holding accounts/, environments/ and imagerecipes/")
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
	e, rep, err := loadAndValidate(*root)
	if err != nil {
		fmt.Fprintf(stderr, "gitops bake: %v\n", err)
		return ExitUsage
	}
	if e == nil {
		_ = diag.Write(stderr, "text", rep)
		fmt.Fprintln(stderr, "gitops bake: the estate has errors; fix them first")
		return ExitFindings
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	clients, err := bakeClients(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "gitops bake: %v\n", err)
		return ExitFindings
	}
	b := &bake.Baker{
		Estate:    e,
		Clients:   clients,
		Out:       stdout,
		Clock:     bakeClock,
		Timeout:   *timeout,
		NoCascade: *noCascade,
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
