// Package cli is gitops' command line: it parses flags and drives the stages.
package cli

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// Exit codes shared by every command.
const (
	ExitOK       = 0
	ExitFindings = 1
	ExitUsage    = 2
)

type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"validate", "check the estate's YAML; no AWS access needed", runValidate},
		{"reach", "explain whether FROM reaches TO and back, hop by hop, from the YAML alone", runReach},
		{"compile", "validate, then write the CloudFormation templates and manifest into generated/", runCompile},
		{"schema", "write the JSON Schemas of the document kinds into schemas/", runSchema},
		{"diff", "predict offline what the merge request changes in AWS, and flag dangerous changes", runDiff},
		{"plan", "make change sets for the changed stacks of generated/ and show what they would do", runPlan},
		{"apply", "plan, then execute the change sets in dependency order, account by account", runApply},
		{"bake", "build a recipe's AMI with ImageBuilder and publish it to SSM (then its dependants)", runBake},
		{"mirrors", "mirrors sync: Git credentials and GitLab push mirrors for the CodeCommit mirrors", runMirrors},
		{"gitlab", "gitlab smtp-credentials: GitLab's SES SMTP key and password, into its secret", runGitLab},
	}
}

// Main runs gitops with args and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		if len(args) == 0 {
			return ExitUsage
		}
		return ExitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "gitops: unknown command %q\n", args[0])
	usage(stderr)
	return ExitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: gitops <command> [flags]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun gitops <command> -h for a command's flags.")
}

// newFlags makes a flag set that reports errors instead of exiting.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("gitops "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseFlags parses args and refuses stray positional arguments.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) bool {
	if err := fs.Parse(args); err != nil {
		return false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected arguments: %s\n", fs.Name(), strings.Join(fs.Args(), " "))
		return false
	}
	return true
}
