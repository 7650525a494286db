package cli

import (
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
)

// envDocs describes the environment variables commands read; a command's
// Env names the ones its help lists.
var envDocs = map[string]string{
	"AWS_PROFILE":                         "the AWS SDK's default credential chain: environment keys, AWS_PROFILE and ~/.aws, web identity, container or instance role",
	"AWS_REGION":                          "region for calls that need one before the estate names it",
	"AWS_ENDPOINT_URL":                    "send every AWS call to this endpoint (an emulator such as moto_server)",
	"AWS_MAX_ATTEMPTS":                    "how many times the SDK tries a call (default 10)",
	"GITOPS_RUN_ID":                       "names the run's change sets and role sessions (else CODEPIPELINE_EXECUTION_ID, CI_PIPELINE_ID, CODEBUILD_BUILD_ID or the UTC time)",
	"GITOPS_SYNTH":                        "the gitops-synth worker to run (else next to gitops, on PATH, or built with go build)",
	"GITOPS_CACHE":                        "cache directory for the built worker and the synthesized templates (default: the user cache directory's gitops/)",
	"CI_MERGE_REQUEST_DIFF_BASE_SHA":      "the merge request's base commit in GitLab CI, the default --base",
	"CI_MERGE_REQUEST_TARGET_BRANCH_SHA":  "the target branch's commit in a GitLab merged-results pipeline, then the default --base",
	"CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "outside those, the branch whose merge-base with HEAD is the default --base",
	"CI_DEFAULT_BRANCH":                   "the branch to try after the target branch",
	"GITLAB_TOKEN":                        "GitLab API token (or --gitlab-token-secret)",
	"GOTOOLCHAIN":                         "local where no Go toolchain may be downloaded: the go command must then be go.mod's Go version or newer",
}

// awsEnv are the variables every command that calls AWS reads.
var awsEnv = []string{"AWS_PROFILE", "AWS_REGION", "AWS_ENDPOINT_URL", "AWS_MAX_ATTEMPTS"}

// usageExit is the exit code every command shares.
var usageExit = Exit{ExitUsage, "usage error (a bad flag or argument) or an I/O error"}

// help runs gitops help [command].
func help(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		writeOverview(stdout)
		return ExitOK
	}
	cmd, rest, family := find(args)
	switch {
	case cmd != nil && len(rest) == 0:
		cmd.writeUsage(stdout)
		return ExitOK
	case cmd == nil && len(family) > 0 && len(args) == 1:
		writeFamily(stdout, args[0], family)
		return ExitOK
	}
	fmt.Fprintf(stderr, "gitops help: unknown command %q\n", strings.Join(args, " "))
	fmt.Fprintln(stderr, "run 'gitops help' for the commands")
	return ExitUsage
}

// writeOverview lists the commands by group.
func writeOverview(w io.Writer) {
	fmt.Fprint(w, "gitops checks the estate's YAML, compiles it into CloudFormation and deploys it.\n\n")
	fmt.Fprint(w, "usage: gitops <command> [flags] [arguments]\n")
	width := 0
	for _, c := range registry {
		width = max(width, len(c.Name))
	}
	for _, g := range groups {
		fmt.Fprintf(w, "\n%s:\n", g)
		for _, c := range sortedCommands() {
			if c.Group == g {
				fmt.Fprintf(w, "  %-*s  %s\n", width, c.Name, c.Summary)
			}
		}
	}
	fmt.Fprint(w, "\nRun 'gitops help <command>' (or gitops <command> --help) for its flags, exit codes and environment.\n")
	fmt.Fprint(w, "gitops --version prints the version. Exit codes: 0 success, 1 findings or a failed run, 2 usage error.\n")
}

// writeFamily lists the subcommands of a word such as mirrors.
func writeFamily(w io.Writer, word string, family []*Command) {
	fmt.Fprintf(w, "usage: gitops %s <subcommand> [flags]\n\nsubcommands:\n", word)
	for _, c := range family {
		fmt.Fprintf(w, "  %s  %s\n", c.Name, c.Summary)
	}
	fmt.Fprintf(w, "\nRun 'gitops help %s <subcommand>' for its flags.\n", word)
}

func sortedCommands() []*Command {
	cmds := slices.Clone(registry)
	slices.SortStableFunc(cmds, func(a, b *Command) int { return strings.Compare(a.Name, b.Name) })
	return cmds
}

// writeUsage writes the command's help: usage line, what it does, flags,
// exit codes and environment.
func (cmd *Command) writeUsage(w io.Writer) {
	line := "usage: gitops " + cmd.Name + " [flags]"
	if cmd.Args != "" {
		line = "usage: gitops " + cmd.Name + " " + cmd.Args + " [flags]"
	}
	fmt.Fprintf(w, "%s\n\n%s\n", line, upperFirst(cmd.Summary)+".")
	if cmd.Doc != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(cmd.Doc))
	}
	fs := flag.NewFlagSet(cmd.Name, flag.ContinueOnError)
	cmd.Setup(fs)
	fmt.Fprint(w, "\nflags:\n")
	writeFlags(w, fs)
	fmt.Fprint(w, "\nexit status:\n")
	exits := append(slices.Clone(cmd.Exits), usageExit)
	slices.SortStableFunc(exits, func(a, b Exit) int { return a.Code - b.Code })
	for _, e := range exits {
		fmt.Fprintf(w, "  %-3d  %s\n", e.Code, e.Meaning)
	}
	if len(cmd.Env) > 0 {
		fmt.Fprint(w, "\nenvironment:\n")
		width := 0
		for _, name := range cmd.Env {
			width = max(width, len(name))
		}
		for _, name := range cmd.Env {
			fmt.Fprintf(w, "  %-*s  %s\n", width, name, envDocs[name])
		}
	}
}

// writeFlags lists the flags with two dashes, as the README writes them;
// one dash works too.
func writeFlags(w io.Writer, fs *flag.FlagSet) {
	type row struct{ name, usage string }
	var rows []row
	width := 0
	fs.VisitAll(func(f *flag.Flag) {
		value, usage := flag.UnquoteUsage(f)
		name := "--" + f.Name
		if value != "" {
			name += " " + value
		}
		if !isZeroDefault(f.DefValue) {
			usage += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		rows = append(rows, row{name, usage})
		width = max(width, len(name))
	})
	rows = append(rows, row{"-h, --help", "show this help"})
	width = min(max(width, len("-h, --help")), 24)
	for _, r := range rows {
		if len(r.name) > width {
			fmt.Fprintf(w, "  %s\n  %-*s  %s\n", r.name, width, "", r.usage)
			continue
		}
		fmt.Fprintf(w, "  %-*s  %s\n", width, r.name, r.usage)
	}
}

func isZeroDefault(v string) bool {
	switch v {
	case "", "0", "false", "0s", "[]":
		return true
	}
	return false
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// versionLine is gitops --version: the module version and the VCS revision
// the binary was built from, as the Go build info records them.
func versionLine() string {
	info, _ := debug.ReadBuildInfo()
	return versionOf(info)
}

func versionOf(info *debug.BuildInfo) string {
	version, revision, modified := "(devel)", "", false
	if info != nil {
		if v := info.Main.Version; v != "" {
			version = v
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	line := "gitops " + version
	if revision != "" {
		line += " revision " + revision
		if modified {
			line += " (modified)"
		}
	} else {
		// go run, go test and -buildvcs=false record none.
		line += ", no VCS revision recorded,"
	}
	return line + " " + runtime.Version()
}

// Names lists the registered commands, for tests that check every command
// is covered.
func Names() []string {
	var names []string
	for _, c := range sortedCommands() {
		names = append(names, c.Name)
	}
	return names
}

// FlagNames lists the flags of the command called name; ok is false when
// there is no such command.
func FlagNames(name string) (flags []string, ok bool) {
	cmd := lookup(name)
	if cmd == nil {
		return nil, false
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	cmd.Setup(fs)
	fs.VisitAll(func(f *flag.Flag) { flags = append(flags, f.Name) })
	return flags, true
}
