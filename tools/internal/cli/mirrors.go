package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	"gitops/tools/internal/awsaccess"
	"gitops/tools/internal/mirrorsync"
	"gitops/tools/internal/stacks"
)

func init() { register(mirrorsCommand(mirrorsDeps{})) }

// mirrorsDeps stand in for what no emulator has (IAM's service-specific
// credentials); the zero value is the real thing. Tests make their own
// command with them, so nothing is swapped at package level.
type mirrorsDeps struct {
	// clients opens the AWS clients given the caller's access.
	clients func(access *awsaccess.Access) mirrorsync.Clients
}

// mirrorsCommand is gitops mirrors sync with deps.
func mirrorsCommand(deps mirrorsDeps) *Command {
	return &Command{
		Name:    "mirrors sync",
		Summary: "give the CodeCommit mirrors their Git credentials and configure GitLab's push mirrors",
		Doc: `For each CodeCommit mirror: gives its IAM user (gitops-mirror-<name>) an HTTPS Git
credential, stores it in Secrets Manager (gitops/mirrors/<name>) and configures the GitLab
project's push mirror with it (protected branches only). For each CodeConnections mirror:
reports whether the connection awaits approval in the console. Tokens and passwords are
redacted from every line printed.`,
		Group: groupOperate,
		Exits: []Exit{
			{ExitOK, "every mirror is in sync (or, with --dry-run, was checked)"},
			{ExitFindings, "AWS could not be reached, or a mirror failed"},
		},
		Env: append([]string{"GITLAB_TOKEN"}, awsEnv...),
		Setup: func(fs *flag.FlagSet) Run {
			o := &mirrorsOptions{manifest: addManifestFlags(fs)}
			fs.Func("mirror", "sync only the mirror `name`d (repeatable; default all)", func(v string) error {
				o.names = append(o.names, v)
				return nil
			})
			o.dryRun = fs.Bool("dry-run", false, "print what would change and change nothing")
			o.rotate = fs.Bool("rotate", false, "replace each CodeCommit mirror's Git credential even when it is valid")
			o.gitlabURL = fs.String("gitlab-url", "", "GitLab's `URL` (default https://<alb.domain> of the mirror's GitLab service)")
			o.tokenSecret = fs.String("gitlab-token-secret", "", "Secrets Manager secret `name` holding the GitLab API token, in the GitLab service's account and region (default: $GITLAB_TOKEN)")
			return func(c *Call) int { return deps.run(c, o) }
		},
	}
}

type mirrorsOptions struct {
	manifest               *manifestFlags
	gitlabURL, tokenSecret *string
	names                  []string
	dryRun, rotate         *bool
}

func (deps mirrorsDeps) run(c *Call, o *mirrorsOptions) int {
	names, dryRun, rotate, gitlabURL, tokenSecret := o.names, o.dryRun, o.rotate, o.gitlabURL, o.tokenSecret
	stdout, stderr := c.Stdout, c.Stderr
	token := os.Getenv("GITLAB_TOKEN")
	if token == "" && *tokenSecret == "" {
		return c.Usagef("no GitLab token: set GITLAB_TOKEN or pass --gitlab-token-secret NAME")
	}

	if err := checkGitLabURL(*gitlabURL); err != nil {
		return c.Usagef("--gitlab-url %s: %v", *gitlabURL, err)
	}

	// Every line goes through the redactor: the token and the Git
	// passwords never reach the terminal or the build log.
	redactor := &mirrorsync.Redactor{}
	redactor.Add(token)
	out, errOut := redactor.Writer(stdout), redactor.Writer(stderr)
	defer errOut.Close()
	defer out.Close()

	m, err := stacks.ReadManifest(o.manifest.dir())
	if err != nil {
		fmt.Fprintf(errOut, "gitops mirrors sync: %v\n", err)
		return ExitUsage
	}
	mirrors, err := mirrorsync.Select(&m.Operations, names)
	if err != nil {
		fmt.Fprintf(errOut, "gitops mirrors sync: %v\nrun 'gitops help mirrors sync' for usage\n", err)
		return ExitUsage
	}
	if err := checkFresh(o.manifest.root, o.manifest.dir()); err != nil {
		fmt.Fprintf(errOut, "gitops mirrors sync: %v\n", err)
		return ExitFindings
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	access, err := awsaccess.Load(ctx, "gitops-mirrors")
	if err == nil {
		// One clear message when there are no usable credentials, before
		// any call fails with the SDK's.
		_, err = access.Check(ctx)
	}
	if err != nil {
		fmt.Fprintf(errOut, "gitops mirrors sync: %v\n", err)
		return ExitFindings
	}
	// Other accounts are reached through their mirrors sync role, which
	// may touch the mirrors' users and secrets there and nothing else.
	access = access.Through("mirrors sync", func(a stacks.Account) string { return a.MirrorsRole })
	var clients mirrorsync.Clients = mirrorsync.AWSClients{Access: access}
	if deps.clients != nil {
		clients = deps.clients(access)
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

// checkGitLabURL refuses a GitLab address the token and the mirrors' Git
// passwords would travel to in clear: https only, or http to this machine
// (a local GitLab, a test server).
func checkGitLabURL(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	switch {
	case err == nil && u.Scheme == "https" && u.Host != "":
		return nil
	case err == nil && u.Scheme == "http" && u.Host != "":
		if ip, err := netip.ParseAddr(u.Hostname()); u.Hostname() == "localhost" || err == nil && ip.IsLoopback() {
			return nil
		}
		return errors.New("GitLab's URL must be https:// (plain http only to this machine)")
	}
	return errors.New("GitLab's URL must be https://, e.g. https://gitlab.example.com")
}
