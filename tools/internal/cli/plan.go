package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gitops/tools/internal/apply"
	"gitops/tools/internal/smtpcredentials"
	"gitops/tools/internal/stacks"
)

func init() {
	register(&Command{
		Name:    "plan",
		Summary: "make a change set per changed stack of generated/ and show what it would do",
		Doc: `Reads generated/ (refusing it when the YAML changed since it was compiled), checks the
AWS credentials once, and for every selected stack whose template or parameters differ from
what is deployed creates a CREATE or UPDATE change set and reads it back: what it adds,
modifies, removes or replaces. Progress goes to stderr, the plan to stdout. The change sets
are deleted once reported unless --keep-change-sets. The first Ctrl-C starts no new stack and
lets the running ones finish; a second cancels at once.`,
		Group: groupDeploy,
		Exits: []Exit{
			{ExitOK, "every selected stack was planned"},
			{ExitFindings, "generated/ is stale, AWS could not be reached, or a stack could not be planned"},
			{ExitInterrupted, "interrupted (Ctrl-C or SIGTERM)"},
		},
		Env: append(slices.Clone(awsEnv), "GITOPS_RUN_ID"),
		Setup: func(fs *flag.FlagSet) Run {
			f := addDeployFlags(fs)
			keep := fs.Bool("keep-change-sets", false, "leave the change sets in CloudFormation for review instead of deleting them once reported")
			return func(c *Call) int {
				return deploy(c, f, func(o *apply.Options) { o.Cleanup = !*keep })
			}
		},
	})
}

// deployFlags are the flags plan and apply share.
type deployFlags struct {
	root, generated  string
	stacks, accounts stringList
	parallel         int
	waitBusy         time.Duration
	format, report   string
	// role replaces every account's deploy role name when set.
	role string
}

func addDeployFlags(fs *flag.FlagSet) *deployFlags {
	f := &deployFlags{}
	fs.StringVar(&f.root, "root", ".", "repository `dir`ectory holding the estate and generated/")
	fs.StringVar(&f.generated, "generated", "generated", "compiled `dir`ectory with manifest.json; a relative path is taken from --root")
	fs.Var(&f.stacks, "stack", "only this `stack` (ID account/region/name or CloudFormation name); repeatable")
	fs.Var(&f.accounts, "account", "only the stacks of this `account` (name or id); repeatable")
	fs.IntVar(&f.parallel, "parallel", 4, "work on at most `n` independent stacks at once")
	fs.DurationVar(&f.waitBusy, "wait-busy", 10*time.Minute, "wait this long for a stack another run is changing, then refuse it")
	fs.StringVar(&f.format, "format", "text", "report `format` on stdout: "+strings.Join(apply.Formats, ", "))
	fs.StringVar(&f.report, "report", "", "also write the report as plan.json and plan.md into `dir` (merge-request note, pipeline artifacts)")
	fs.StringVar(&f.role, "role", "", "assume this `role` in every account instead of its deploy role (gitops-plan can make change sets but never execute them)")
	return f
}

// deploy runs plan or apply: it reads generated/, refuses it when stale,
// checks the credentials once, runs, and writes the report to stdout and
// --report. What the estate's allowReplace: entries (which the manifest
// carries) allow is neither refused nor reported blocked.
func deploy(c *Call, f *deployFlags, tune func(*apply.Options)) int {
	command := c.Command.Name
	if !slices.Contains(apply.Formats, f.format) {
		return c.Usagef("unknown format %q (want one of %s)", f.format, strings.Join(apply.Formats, ", "))
	}
	if f.parallel < 1 {
		return c.Usagef("--parallel must be at least 1")
	}
	dir := f.generated
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(f.root, dir)
	}
	d, err := apply.LoadDeployment(dir)
	if err != nil {
		return c.Errorf(ExitUsage, "%v", err)
	}
	selected, err := d.Select(f.stacks, f.accounts)
	if err != nil {
		return c.Usagef("%v", err)
	}
	if err := checkFresh(f.root, dir); err != nil {
		return c.Errorf(ExitFindings, "%v", err)
	}
	allowed, err := apply.ParseAllowReplace(d.Operations.AllowReplace)
	if err != nil {
		return c.Errorf(ExitUsage, "%s: %v", dir, err)
	}

	in := watchInterrupts(c.Stderr, command)
	defer in.close()
	runID := apply.RunID(os.Getenv, time.Now())
	accounts := withRole(d.Operations.Accounts, f.role)
	clients, err := apply.NewAWSClients(in.ctx, apply.AWSOptions{
		Accounts:    accounts,
		SessionName: apply.SessionName(runID),
		MaxAttempts: apply.MaxAttemptsFromEnv(),
	})
	if err != nil {
		return c.Errorf(ExitUsage, "%v", err)
	}
	var targets []apply.Target
	for _, s := range selected {
		targets = append(targets, s.Target())
	}
	if err := clients.CheckAccess(in.ctx, targets); err != nil {
		return c.Errorf(ExitFindings, "%v", err)
	}
	// GitLab's SMTP credentials are written through each account's SMTP
	// credentials role, not the deploy role.
	smtpAccess := clients.Access().Through("SMTP credentials", func(a stacks.Account) string { return a.SMTPRole })
	opts := apply.Options{
		Clients: clients,
		Images:  &apply.RegistryCopier{Auth: clients.RegistryAuth},
		Shares:  clients,
		Zones:   clients,
		SMTP: func(ctx context.Context, t smtpcredentials.Target, out io.Writer) (smtpcredentials.Result, error) {
			s := &smtpcredentials.Syncer{Clients: smtpcredentials.AWSClients{Access: smtpAccess, Accounts: accounts}, Out: out}
			return s.Sync(ctx, t)
		},
		Parallel:      f.parallel,
		ChangeSetName: apply.ChangeSetName(command, runID),
		Emulator:      apply.EndpointOverride(os.Getenv),
		BusyWait:      f.waitBusy,
		AllowReplace:  allowed,
		Stop:          in.stop,
		// Progress goes to stderr so that stdout holds the report alone.
		Progress: c.Stderr,
	}
	tune(&opts)
	if opts.Emulator != "" {
		fmt.Fprintf(c.Stderr, "gitops %s: the AWS endpoint is overridden (%s): talking to an emulator, not AWS; what it cannot emulate is reported as not emulated\n", command, opts.Emulator)
	}
	fmt.Fprintf(c.Stderr, "gitops %s: %d stacks, at most %d at once, change sets %s\n", command, len(selected), opts.Parallel, opts.ChangeSetName)
	var result *apply.Result
	if command == "apply" {
		result = apply.Apply(in.ctx, d, selected, opts)
	} else {
		result = apply.Plan(in.ctx, d, selected, opts)
	}
	if err := apply.Write(c.Stdout, f.format, result); err != nil {
		return c.Errorf(ExitUsage, "%v", err)
	}
	if f.report != "" {
		if err := writeReports(f.report, result); err != nil {
			return c.Errorf(ExitUsage, "%v", err)
		}
	}
	if result.Interrupted {
		if mid := result.MidUpdate(); len(mid) > 0 {
			fmt.Fprintf(c.Stderr, "gitops %s: cancelled while CloudFormation was changing these stacks; they may be mid-update:\n  %s\n", command, strings.Join(mid, "\n  "))
		}
		return ExitInterrupted
	}
	if result.Failed() {
		return ExitFindings
	}
	return ExitOK
}

// writeReports writes the result as plan.json and plan.md into dir.
func writeReports(dir string, result *apply.Result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, format := range map[string]string{"plan.json": "json", "plan.md": "markdown"} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		err = apply.Write(f, format, result)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("writing %s: %w", filepath.Join(dir, name), err)
		}
	}
	return nil
}

// withRole returns the manifest's accounts with role in place of their
// deploy roles, when set.
func withRole(accounts []stacks.Account, role string) []stacks.Account {
	out := slices.Clone(accounts)
	if role != "" {
		for i := range out {
			out[i].DeployRole = role
		}
	}
	return out
}

// stringList is a repeatable flag; a value may also list items separated
// by commas.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			*l = append(*l, item)
		}
	}
	return nil
}
