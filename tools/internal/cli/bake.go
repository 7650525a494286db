package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"

	"gitops/tools/internal/awsaccess"
	"gitops/tools/internal/bake"
	"gitops/tools/internal/diag"
)

// bakeClients opens the AWS clients of gitops bake; tests replace it.
var bakeClients = func(ctx context.Context) (bake.Clients, error) {
	access, err := awsaccess.Load(ctx, "gitops-bake")
	if err != nil {
		return nil, err
	}
	// One clear message when there are no usable credentials, before any
	// call fails with the SDK's.
	if _, err := access.Check(ctx); err != nil {
		return nil, err
	}
	return bake.AWSClients{Access: access}, nil
}

// bakeClock paces gitops bake; tests replace it.
var bakeClock bake.Clock

func init() {
	register(&Command{
		Name:    "bake",
		Args:    "<recipe>",
		NArgs:   1,
		Summary: "build a recipe's AMI with ImageBuilder and publish it to SSM, then re-bake the recipes built on it",
		Doc: `Starts the recipe's ImageBuilder pipeline gitops-<recipe>, waits for the image, and
writes the AMI id to the recipe's SSM parameter in every distribution account and region.
Then it bakes the recipes whose parent is this one, parents before children
(--no-cascade bakes the named recipe alone).`,
		Group: groupOperate,
		Exits: []Exit{
			{ExitOK, "every image was built and published"},
			{ExitFindings, "the estate has errors, AWS could not be reached, or a build failed or timed out"},
			{ExitInterrupted, "interrupted (Ctrl-C); the image build goes on in ImageBuilder"},
		},
		Env: awsEnv,
		Setup: func(fs *flag.FlagSet) Run {
			root := rootFlag(fs)
			timeout := fs.Duration("timeout", bake.DefaultTimeout, "how long to wait for one image build")
			noCascade := fs.Bool("no-cascade", false, "bake only the named recipe, not the recipes built on it")
			return func(c *Call) int { return runBake(c, *root, *timeout, *noCascade) }
		},
	})
}

func runBake(c *Call, root string, timeout time.Duration, noCascade bool) int {
	recipe := c.Args[0]
	if err := checkRoot(root); err != nil {
		return c.Usagef("%v", err)
	}
	e, rep, err := loadAndValidate(root)
	if err != nil {
		return c.Errorf(ExitUsage, "%v", err)
	}
	if e == nil {
		_ = diag.Write(c.Stderr, "text", rep)
		return c.Errorf(ExitFindings, "the estate has errors; fix them first")
	}
	var names []string
	for _, r := range e.ImageRecipes {
		names = append(names, r.Name)
	}
	if !slices.Contains(names, recipe) {
		msg := fmt.Sprintf("no image recipe named %q in the estate", recipe)
		if hint := diag.DidYouMean(recipe, names); hint != "" {
			msg += "; " + hint
		}
		return c.Usagef("%s", msg)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	clients, err := bakeClients(ctx)
	if err != nil {
		return c.Errorf(ExitFindings, "%v", err)
	}
	b := &bake.Baker{
		Estate:    e,
		Clients:   clients,
		Out:       c.Stdout,
		Clock:     bakeClock,
		Timeout:   timeout,
		NoCascade: noCascade,
	}
	results, err := b.Bake(ctx, recipe)
	if ctx.Err() != nil {
		return c.Errorf(ExitInterrupted, "interrupted; ImageBuilder goes on with the build it started")
	}
	if err != nil {
		return c.Errorf(ExitFindings, "%v", err)
	}
	for _, r := range results {
		fmt.Fprintf(c.Stdout, "baked %s: %s, label %s, %d parameter(s) written\n", r.Recipe, r.Image, r.Label, len(r.Published))
	}
	return ExitOK
}
