package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"gitops/tools/internal/awsaccess"
	"gitops/tools/internal/bake"
	"gitops/tools/internal/diag"
	"gitops/tools/internal/stacks"
)

func init() { register(bakeCommand(bakeDeps{})) }

// bakeDeps stand in for what no emulator has (ImageBuilder) and for the
// wall clock; the zero value is the real thing. Tests make their own
// command with them, so nothing is swapped at package level.
type bakeDeps struct {
	// clients opens the AWS clients given the caller's access.
	clients func(access *awsaccess.Access) bake.Clients
	clock   bake.Clock
}

// bakeCommand is gitops bake with deps.
func bakeCommand(deps bakeDeps) *Command {
	return &Command{
		Name:    "bake",
		Args:    "<recipe>",
		NArgs:   1,
		Summary: "build a recipe's AMI with ImageBuilder and publish it to SSM, then re-bake the recipes built on it",
		Doc: `Starts the recipe's ImageBuilder pipeline gitops-<recipe>, waits for the image, and
writes the AMI id to the recipe's SSM parameter in every distribution account and region.
Then it bakes the recipes whose parent is this one, parents before children
(--no-cascade bakes the named recipe alone). It reads generated/manifest.json only.`,
		Group: groupOperate,
		Exits: []Exit{
			{ExitOK, "every image was built and published"},
			{ExitFindings, "AWS could not be reached, or a build failed or timed out"},
			{ExitInterrupted, "interrupted (Ctrl-C); the image build goes on in ImageBuilder"},
		},
		Env: awsEnv,
		Setup: func(fs *flag.FlagSet) Run {
			m := addManifestFlags(fs)
			timeout := fs.Duration("timeout", bake.DefaultTimeout, "how long to wait for one image build")
			noCascade := fs.Bool("no-cascade", false, "bake only the named recipe, not the recipes built on it")
			return func(c *Call) int { return deps.run(c, m, *timeout, *noCascade) }
		},
	}
}

func (deps bakeDeps) run(c *Call, m *manifestFlags, timeout time.Duration, noCascade bool) int {
	recipe := c.Args[0]
	manifest, err := stacks.ReadManifest(m.dir())
	if err != nil {
		return c.Errorf(ExitUsage, "%v", err)
	}
	if _, ok := manifest.ImageRecipe(recipe); !ok {
		var names []string
		for _, r := range manifest.ImageRecipes {
			names = append(names, r.Name)
		}
		msg := fmt.Sprintf("no image recipe named %q in the manifest", recipe)
		if hint := diag.DidYouMean(recipe, names); hint != "" {
			msg += "; " + hint
		}
		return c.Usagef("%s", msg)
	}
	if err := checkFresh(m.root, m.dir()); err != nil {
		return c.Errorf(ExitFindings, "%v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	access, err := awsaccess.Load(ctx, "gitops-bake")
	if err != nil {
		return c.Errorf(ExitFindings, "%v", err)
	}
	// One clear message when there are no usable credentials, before any
	// call fails with the SDK's.
	if _, err := access.Check(ctx); err != nil {
		return c.Errorf(ExitFindings, "%v", err)
	}
	// Other accounts' AMI parameters are written through their publish
	// role, which may write those parameters and nothing else.
	access.UseRole(stacks.PublishRoleName)
	var clients bake.Clients = bake.AWSClients{Access: access}
	if deps.clients != nil {
		clients = deps.clients(access)
	}
	b := &bake.Baker{
		Operations: &manifest.Operations,
		Clients:    clients,
		Out:        c.Stdout,
		Clock:      deps.clock,
		Timeout:    timeout,
		NoCascade:  noCascade,
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

// manifestFlags are the flags of the commands that read generated/ only.
type manifestFlags struct{ root, generated string }

func addManifestFlags(fs *flag.FlagSet) *manifestFlags {
	m := &manifestFlags{}
	fs.StringVar(&m.root, "root", ".", "repository `dir`ectory holding generated/")
	fs.StringVar(&m.generated, "generated", "generated", "compiled `dir`ectory with manifest.json; a relative path is taken from --root")
	return m
}

// dir is the compiled directory: --generated, taken from --root unless
// absolute.
func (m *manifestFlags) dir() string {
	if filepath.IsAbs(m.generated) {
		return m.generated
	}
	return filepath.Join(m.root, m.generated)
}
