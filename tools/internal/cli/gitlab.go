package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"gitops/tools/internal/apply"
	"gitops/tools/internal/awsaccess"
	"gitops/tools/internal/smtpcredentials"
	"gitops/tools/internal/stacks"
)

func init() {
	register(&Command{
		Name:    "gitlab smtp-credentials",
		Summary: "give each GitLab that mails through SES its SMTP key and password, in its secret",
		Doc: `For each GitLab that sends mail through SES (the manifest's GitLab image stacks): gives its
SMTP user an access key, derives the key's SES SMTP password and writes both into the secret
GitLab reads, then restarts GitLab's ECS service. A valid secret is left alone unless
--rotate; the old key is deleted after the new one is written. apply runs this after each
GitLab image stack. No secret is ever printed.

A new SES account sends only to verified addresses (the sandbox) until AWS grants production
access: aws sesv2 put-account-details --production-access-enabled --mail-type TRANSACTIONAL
--website-url https://<gitlab> --use-case-description "…" (or SES console → Account
dashboard → Request production access).`,
		Group: groupOperate,
		Exits: []Exit{
			{ExitOK, "every GitLab's SMTP credentials are in place (or, with --dry-run, were checked)"},
			{ExitFindings, "AWS could not be reached, or a GitLab's credentials could not be written"},
		},
		Env: awsEnv,
		Setup: func(fs *flag.FlagSet) Run {
			m := addManifestFlags(fs)
			rotate := fs.Bool("rotate", false, "replace the access key even when the secret holds a valid one")
			dryRun := fs.Bool("dry-run", false, "print what would change and change nothing")
			return func(c *Call) int { return runGitLab(c, m, rotate, dryRun) }
		},
	})
}

func runGitLab(c *Call, m *manifestFlags, rotate, dryRun *bool) int {
	stdout, stderr := c.Stdout, c.Stderr
	d, err := apply.LoadDeployment(m.dir())
	if err != nil {
		fmt.Fprintf(stderr, "gitops gitlab smtp-credentials: %v\n", err)
		return ExitUsage
	}
	if err := checkFresh(m.root, m.dir()); err != nil {
		return c.Errorf(ExitFindings, "%v", err)
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
	// One clear message when there are no usable credentials.
	if _, err := access.Check(ctx); err != nil {
		fmt.Fprintf(stderr, "gitops gitlab smtp-credentials: %v\n", err)
		return ExitFindings
	}
	// Other accounts are reached through their SMTP credentials role: that
	// user's keys, its secret and GitLab's service only.
	access = access.Through("SMTP credentials", func(a stacks.Account) string { return a.SMTPRole })
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
