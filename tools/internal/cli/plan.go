package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"gitops/tools/internal/apply"
	"gitops/tools/internal/estate"
	"gitops/tools/internal/load"
	"gitops/tools/internal/smtpcredentials"
)

func runPlan(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("plan", stderr)
	f := addDeployFlags(fs)
	format := fs.String("format", "text", "report `format`: "+strings.Join(apply.Formats, ", "))
	cleanup := fs.Bool("cleanup", false, "delete the change sets once reported (a merge-request plan leaves nothing behind)")
	report := fs.String("report", "", "also write the plan as plan.json and plan.md into `dir` (for a merge-request note)")
	fs.StringVar(&f.role, "role", "", "assume this `role` in every other account instead of its deploy role: gitops-plan can make change sets but not execute them (merge-request CI)")
	if !parseFlags(fs, args, stderr) {
		return ExitUsage
	}
	if !slices.Contains(apply.Formats, *format) {
		fmt.Fprintf(stderr, "gitops plan: unknown format %q (want one of %s)\n", *format, strings.Join(apply.Formats, ", "))
		return ExitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	d, selected, opts, code := f.setup(ctx, "plan", stderr)
	if code != ExitOK {
		return code
	}
	var err error
	opts.Cleanup = *cleanup
	// What the estate's allowReplace: entries allow is not reported blocked.
	if opts.AllowReplace, err = apply.ParseAllowReplace(declaredAllowReplace(f.root)); err != nil {
		fmt.Fprintf(stderr, "gitops plan: %v\n", err)
		return ExitUsage
	}
	// Progress goes to stderr so that stdout holds the report alone.
	opts.Progress = stderr
	result := apply.Plan(ctx, d, selected, opts)
	if err := apply.Write(stdout, *format, result); err != nil {
		fmt.Fprintf(stderr, "gitops plan: %v\n", err)
		return ExitUsage
	}
	if *report != "" {
		if err := writeReports(*report, result); err != nil {
			fmt.Fprintf(stderr, "gitops plan: %v\n", err)
			return ExitUsage
		}
	}
	if result.Count(apply.OutcomeFailed) > 0 {
		return ExitFindings
	}
	return ExitOK
}

// deployFlags are the flags plan and apply share.
type deployFlags struct {
	root, generated  string
	stacks, accounts stringList
	parallel         int
	waitBusy         time.Duration
	// role replaces every account's deploy role name when set.
	role string
}

func addDeployFlags(fs *flag.FlagSet) *deployFlags {
	f := &deployFlags{}
	fs.StringVar(&f.root, "root", ".", "repository `dir`ectory holding accounts/ and generated/")
	fs.StringVar(&f.generated, "generated", "generated", "compiled `dir`ectory with manifest.json; a relative path is taken from --root")
	fs.Var(&f.stacks, "stack", "only this `stack` (ID account/region/name or CloudFormation name); repeatable")
	fs.Var(&f.accounts, "account", "only the stacks of this `account` (name or id); repeatable")
	fs.IntVar(&f.parallel, "parallel", 4, "work on at most `n` independent stacks at once")
	fs.DurationVar(&f.waitBusy, "wait-busy", 10*time.Minute, "wait this long for a stack another run is changing, then refuse it")
	return f
}

// setup reads generated/, selects the stacks and makes the AWS clients.
func (f *deployFlags) setup(ctx context.Context, command string, stderr io.Writer) (*apply.Deployment, []*apply.Stack, apply.Options, int) {
	var opts apply.Options
	if f.parallel < 1 {
		fmt.Fprintf(stderr, "gitops %s: --parallel must be at least 1\n", command)
		return nil, nil, opts, ExitUsage
	}
	dir := f.generated
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(f.root, dir)
	}
	d, err := apply.LoadDeployment(dir)
	if err != nil {
		fmt.Fprintf(stderr, "gitops %s: %v\n", command, err)
		return nil, nil, opts, ExitUsage
	}
	selected, err := d.Select(f.stacks, f.accounts)
	if err != nil {
		fmt.Fprintf(stderr, "gitops %s: %v\n", command, err)
		return nil, nil, opts, ExitUsage
	}
	runID := apply.RunID(os.Getenv, time.Now())
	accounts := estateAccounts(f.root)
	if f.role != "" {
		accounts = withRole(accounts, f.role)
	}
	clients, err := apply.NewAWSClients(ctx, apply.AWSOptions{
		Accounts:    accounts,
		SessionName: apply.SessionName(runID),
		MaxAttempts: apply.MaxAttemptsFromEnv(),
	})
	if err != nil {
		fmt.Fprintf(stderr, "gitops %s: %v\n", command, err)
		return nil, nil, opts, ExitUsage
	}
	opts = apply.Options{
		Clients: clients,
		Images:  &apply.RegistryCopier{Auth: clients.RegistryAuth},
		Shares:  clients,
		SMTP: func(ctx context.Context, t smtpcredentials.Target, out io.Writer) (smtpcredentials.Result, error) {
			s := &smtpcredentials.Syncer{Clients: smtpcredentials.AWSClients{Access: clients.Access(), Accounts: accounts}, Out: out}
			return s.Sync(ctx, t)
		},
		Parallel:      f.parallel,
		ChangeSetName: apply.ChangeSetName(command, runID),
		Emulator:      apply.EndpointOverride(os.Getenv),
		BusyWait:      f.waitBusy,
	}
	if opts.Emulator != "" {
		fmt.Fprintf(stderr, "gitops %s: the AWS endpoint is overridden (%s): talking to an emulator, not AWS; what it cannot emulate is reported as not emulated\n", command, opts.Emulator)
	}
	return d, selected, opts, ExitOK
}

// estateAccounts reads the accounts from the estate, for their deploy role
// names; the manifest does not carry them. Without a readable estate every
// account uses the default name.
func estateAccounts(root string) map[string]*estate.Account {
	accounts := map[string]*estate.Account{}
	e, _, err := load.LoadEstate(root)
	if err != nil || e == nil {
		return accounts
	}
	for _, a := range e.Accounts {
		if a != nil && a.Name != "" {
			accounts[a.Name] = a
		}
	}
	return accounts
}

// withRole returns the accounts with role in place of their deploy roles.
func withRole(accounts map[string]*estate.Account, role string) map[string]*estate.Account {
	out := make(map[string]*estate.Account, len(accounts))
	for name, a := range accounts {
		copied := *a
		copied.DeployRoleName = role
		out[name] = &copied
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
