package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"gitops/tools/internal/apply"
	"gitops/tools/internal/awsaccess"
	"gitops/tools/internal/smtpcredentials"
)

const gitlabUsage = `usage: gitops gitlab smtp-credentials [flags]

For each GitLab that sends mail through SES (the manifest's GitLab image
stacks): gives its SMTP user an access key, derives the key's SES SMTP
password and writes both into the secret GitLab reads, then restarts
GitLab's ECS service. A valid secret is left alone unless --rotate; the old
key is deleted after the new one is written. apply runs this after each
GitLab image stack. No secret is ever printed.

A new SES account sends only to verified addresses (the sandbox) until AWS
grants production access: aws sesv2 put-account-details --production-access-enabled
--mail-type TRANSACTIONAL --website-url https://<gitlab> --use-case-description "…"
(or SES console → Account dashboard → Request production access).

flags:`

func runGitLab(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "smtp-credentials" {
		if len(args) > 0 && args[0] != "-h" && args[0] != "--help" && args[0] != "help" {
			fmt.Fprintf(stderr, "gitops gitlab: unknown subcommand %q\n", args[0])
		}
		fmt.Fprintln(stderr, "usage: gitops gitlab smtp-credentials [flags]   (gitops gitlab smtp-credentials -h for the flags)")
		return ExitUsage
	}
	fs := newFlags("gitlab smtp-credentials", stderr)
	root := fs.String("root", ".", "repository `dir`ectory holding generated/")
	generated := fs.String("generated", "generated", "compiled `dir`ectory with manifest.json; a relative path is taken from --root")
	rotate := fs.Bool("rotate", false, "replace the access key even when the secret holds a valid one")
	dryRun := fs.Bool("dry-run", false, "print what would change and change nothing")
	fs.Usage = func() {
		fmt.Fprintln(stderr, gitlabUsage)
		fs.PrintDefaults()
	}
	if !parseFlags(fs, args[1:], stderr) {
		return ExitUsage
	}
	dir := *generated
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(*root, dir)
	}
	d, err := apply.LoadDeployment(dir)
	if err != nil {
		fmt.Fprintf(stderr, "gitops gitlab smtp-credentials: %v\n", err)
		return ExitUsage
	}
	var targets []smtpcredentials.Target
	for _, s := range d.Stacks {
		if t, ok := smtpcredentials.TargetOf(s.StackHeader); ok {
			targets = append(targets, t)
		}
	}
	if len(targets) == 0 {
		fmt.Fprintln(stdout, "gitlab smtp-credentials: no GitLab sends mail through SES")
		return ExitOK
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	access, err := awsaccess.Load(ctx, "gitops-smtp-credentials")
	if err != nil {
		fmt.Fprintf(stderr, "gitops gitlab smtp-credentials: %v\n", err)
		return ExitFindings
	}
	clients := smtpcredentials.AWSClients{Access: access, Accounts: d.Operations.Accounts}
	failed := 0
	for _, t := range targets {
		out := &smtpcredentials.LineWriter{Line: func(line string) { fmt.Fprintf(stdout, "%s: %s\n", t.Stack, line) }}
		s := &smtpcredentials.Syncer{Clients: clients, Out: out, Rotate: *rotate, DryRun: *dryRun}
		if _, err := s.Sync(ctx, t); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", t.Stack, err)
			failed++
		}
	}
	fmt.Fprintf(stdout, "gitlab smtp-credentials: %d GitLab(s), %d failed\n", len(targets), failed)
	if failed > 0 {
		return ExitFindings
	}
	return ExitOK
}
