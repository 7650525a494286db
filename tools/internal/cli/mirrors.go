package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"gitops/tools/internal/awsaccess"
	"gitops/tools/internal/mirrorsync"
	"gitops/tools/internal/stacks"
)

const mirrorsUsage = `usage: gitops mirrors sync [flags]

For each CodeCommit mirror: gives its IAM user (gitops-mirror-<name>) an HTTPS
Git credential, stores it in Secrets Manager (gitops/mirrors/<name>) and
configures the GitLab project's push mirror with it. For each CodeConnections
mirror: reports whether the connection awaits approval in the console.
The GitLab token comes from GITLAB_TOKEN or --gitlab-token-secret.

flags:`

func runMirrors(args []string, stdout, stderr io.Writer) int {
	return mirrorsCommand{}.run(args, stdout, stderr)
}

// mirrorsCommand is gitops mirrors. Its field stands in for what no
// emulator has (IAM's service-specific credentials); the zero value is the
// real command.
type mirrorsCommand struct {
	// clients opens the AWS clients given the caller's access; nil is the
	// real ones.
	clients func(access *awsaccess.Access) mirrorsync.Clients
}

func (c mirrorsCommand) run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "sync" {
		if len(args) > 0 && args[0] != "-h" && args[0] != "--help" && args[0] != "help" {
			fmt.Fprintf(stderr, "gitops mirrors: unknown subcommand %q\n", args[0])
		}
		fmt.Fprintln(stderr, "usage: gitops mirrors sync [flags]   (gitops mirrors sync -h for the flags)")
		return ExitUsage
	}
	fs := newFlags("mirrors sync", stderr)
	root := fs.String("root", ".", "repository `dir`ectory holding generated/")
	generated := fs.String("generated", "generated", "compiled `dir`ectory with manifest.json; a relative path is taken from --root")
	var names []string
	fs.Func("mirror", "sync only the mirror `name`d (repeatable; default all)", func(v string) error {
		names = append(names, v)
		return nil
	})
	dryRun := fs.Bool("dry-run", false, "print what would change and change nothing")
	rotate := fs.Bool("rotate", false, "replace each CodeCommit mirror's Git credential even when it is valid")
	gitlabURL := fs.String("gitlab-url", "", "GitLab's `URL` (default https://<alb.domain> of the mirror's GitLab service)")
	tokenSecret := fs.String("gitlab-token-secret", "", "Secrets Manager secret `name` holding the GitLab API token, in the GitLab service's account and region (default: $GITLAB_TOKEN)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, mirrorsUsage)
		fs.PrintDefaults()
	}
	if !parseFlags(fs, args[1:], stderr) {
		return ExitUsage
	}
	token := os.Getenv("GITLAB_TOKEN")
	if token == "" && *tokenSecret == "" {
		fmt.Fprintln(stderr, "gitops mirrors sync: no GitLab token: set GITLAB_TOKEN or pass --gitlab-token-secret NAME")
		return ExitUsage
	}

	// Every line goes through the redactor: the token and the Git
	// passwords never reach the terminal or the build log.
	redactor := &mirrorsync.Redactor{}
	redactor.Add(token)
	out, errOut := redactor.Writer(stdout), redactor.Writer(stderr)
	defer errOut.Close()
	defer out.Close()

	m, err := stacks.ReadManifest(generatedDir(*root, *generated))
	if err != nil {
		fmt.Fprintf(errOut, "gitops mirrors sync: %v\n", err)
		return ExitUsage
	}
	mirrors, err := mirrorsync.Select(&m.Operations, names)
	if err != nil {
		fmt.Fprintf(errOut, "gitops mirrors sync: %v\n", err)
		return ExitUsage
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	access, err := awsaccess.Load(ctx, "gitops-mirrors")
	if err != nil {
		fmt.Fprintf(errOut, "gitops mirrors sync: %v\n", err)
		return ExitFindings
	}
	var clients mirrorsync.Clients = mirrorsync.AWSClients{Access: access}
	if c.clients != nil {
		clients = c.clients(access)
	}
	s := &mirrorsync.Syncer{
		Operations:  &m.Operations,
		Clients:     clients,
		GitLabURL:   *gitlabURL,
		Token:       token,
		TokenSecret: *tokenSecret,
		Redactor:    redactor,
		Out:         out,
		Err:         errOut,
		DryRun:      *dryRun,
		Rotate:      *rotate,
	}
	sum := s.Sync(ctx, mirrors)
	changed := "changed"
	if *dryRun {
		changed = "would change (dry run: nothing changed)"
	}
	fmt.Fprintf(out, "mirrors sync: %d mirror(s): %d %s, %d up to date, %d failed, %d CodeConnections reported\n",
		len(mirrors), sum.Changed, changed, sum.UpToDate, sum.Failed, sum.Reported)
	if sum.Failed > 0 {
		return ExitFindings
	}
	return ExitOK
}
