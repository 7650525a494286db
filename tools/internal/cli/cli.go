// Package cli is gitops' command line: it parses flags and drives the stages.
//
// Every command is a Command registered from its own file's init function;
// Main dispatches to it, and help, flag errors and exit codes behave the same
// for all of them.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Exit codes shared by every command.
const (
	ExitOK       = 0
	ExitFindings = 1
	ExitUsage    = 2
	// ExitInterrupted is the shell's code for a run stopped by Ctrl-C
	// (128 + SIGINT).
	ExitInterrupted = 130
)

// Command is one gitops command. Adding one is a file with a registration:
//
//	func init() {
//		register(&Command{
//			Name:    "reach",
//			Summary: "tell whether one VPC can reach another",
//			Group:   groupEstate,
//			Exits:   []Exit{{0, "reachable"}, {1, "not reachable"}},
//			Setup: func(fs *flag.FlagSet) Run {
//				root := rootFlag(fs)
//				return func(c *Call) int { … }
//			},
//		})
//	}
type Command struct {
	// Name is the words that select the command: "validate", "mirrors sync".
	Name string
	// Args shows the positional arguments in the usage line, e.g.
	// "<recipe>"; NArgs is how many there must be (none without Args).
	Args  string
	NArgs int
	// Summary is one line for gitops help; Doc the paragraphs of gitops
	// help <command>.
	Summary string
	Doc     string
	// Group places the command in gitops help's list.
	Group string
	// Exits are the command's own exit codes; 2 (usage or I/O error) is
	// shared by every command and need not be listed.
	Exits []Exit
	// Env names the environment variables the command reads (see envDocs).
	Env []string
	// Setup defines the command's flags on fs and returns the function that
	// runs it once they are parsed.
	Setup func(fs *flag.FlagSet) Run
}

// Exit is one exit code and what it means.
type Exit struct {
	Code    int
	Meaning string
}

// Run runs a command whose flags are parsed.
type Run func(c *Call) int

// Call is one invocation of a command.
type Call struct {
	Command *Command
	// Args are the positional arguments (NArgs of them).
	Args           []string
	Stdout, Stderr io.Writer
}

// Usagef reports a usage error (exit 2): what is wrong and where to read
// how the command is used.
func (c *Call) Usagef(format string, args ...any) int {
	fmt.Fprintf(c.Stderr, "gitops %s: %s\n", c.Command.Name, fmt.Sprintf(format, args...))
	fmt.Fprintf(c.Stderr, "run 'gitops help %s' for usage\n", c.Command.Name)
	return ExitUsage
}

// Errorf reports an error that ends the command with code.
func (c *Call) Errorf(code int, format string, args ...any) int {
	fmt.Fprintf(c.Stderr, "gitops %s: %s\n", c.Command.Name, fmt.Sprintf(format, args...))
	return code
}

// The groups of gitops help, in the order it lists them.
const (
	groupEstate  = "Work on the estate (no AWS access)"
	groupDeploy  = "Deploy generated/ (AWS)"
	groupOperate = "Operate (AWS)"
)

var groups = []string{groupEstate, groupDeploy, groupOperate}

var registry []*Command

// register adds a command; each command's file calls it from init.
func register(c *Command) {
	if c.Name == "" || c.Setup == nil || !slices.Contains(groups, c.Group) {
		panic("cli: incomplete command " + c.Name)
	}
	if lookup(c.Name) != nil {
		panic("cli: command registered twice: " + c.Name)
	}
	registry = append(registry, c)
}

// lookup finds a registered command by its full name.
func lookup(name string) *Command {
	for _, c := range registry {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// find picks the command args select, taking the longest name that matches
// their first words, and returns it with the remaining arguments. A word
// that only begins command names ("mirrors") returns those as family.
func find(args []string) (cmd *Command, rest []string, family []*Command) {
	for _, c := range registry {
		words := strings.Fields(c.Name)
		if len(words) <= len(args) && slices.Equal(words, args[:len(words)]) {
			if cmd == nil || len(words) > len(strings.Fields(cmd.Name)) {
				cmd, rest = c, args[len(words):]
			}
		}
		if len(words) > 1 && words[0] == args[0] {
			family = append(family, c)
		}
	}
	return cmd, rest, family
}

// Main runs gitops with args and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		writeOverview(stderr)
		return ExitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		return help(args[1:], stdout, stderr)
	case "--version", "-version", "version":
		fmt.Fprintln(stdout, versionLine())
		return ExitOK
	}
	if strings.HasPrefix(args[0], "-") {
		fmt.Fprintf(stderr, "gitops: unknown flag %s before the command\n", args[0])
		fmt.Fprintln(stderr, "run 'gitops help' for the commands")
		return ExitUsage
	}
	cmd, rest, family := find(args)
	if cmd == nil && len(family) > 0 {
		if len(args) > 1 && !isHelpFlag(args[1]) {
			fmt.Fprintf(stderr, "gitops %s: unknown subcommand %q\n", args[0], args[1])
		}
		w, code := stderr, ExitUsage
		if len(args) > 1 && isHelpFlag(args[1]) {
			w, code = stdout, ExitOK
		}
		writeFamily(w, args[0], family)
		return code
	}
	if cmd == nil {
		fmt.Fprintf(stderr, "gitops: unknown command %q\n", args[0])
		fmt.Fprintln(stderr, "run 'gitops help' for the commands")
		return ExitUsage
	}
	return cmd.run(rest, stdout, stderr)
}

func isHelpFlag(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help"
}

// run parses the command's flags and positional arguments and runs it.
func (cmd *Command) run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gitops "+cmd.Name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	run := cmd.Setup(fs)
	positional, err := parseInterleaved(fs, args)
	call := &Call{Command: cmd, Args: positional, Stdout: stdout, Stderr: stderr}
	switch {
	case errors.Is(err, flag.ErrHelp):
		cmd.writeUsage(stdout)
		return ExitOK
	case err != nil:
		return call.Usagef("%s", longFlagNames(err.Error()))
	case len(positional) > cmd.NArgs:
		return call.Usagef("unexpected arguments: %s", strings.Join(positional[cmd.NArgs:], " "))
	case len(positional) < cmd.NArgs:
		return call.Usagef("missing %s", cmd.Args)
	}
	return run(call)
}

// parseInterleaved parses flags that may stand before, between or after
// positional arguments, and returns the positional ones. A "--" ends the
// flags.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		// flag stops at "--" or at the first non-flag; after "--" the rest
		// are all positional.
		if len(args) > 0 && len(fs.Args()) < len(args) && args[len(args)-len(fs.Args())-1] == "--" {
			return append(positional, fs.Args()...), nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// longFlagNames rewrites the flag package's "-name" in its error messages
// as the --name the help shows.
func longFlagNames(msg string) string {
	for _, prefix := range []string{"not defined: -", "for flag -", "argument: -"} {
		msg = strings.Replace(msg, prefix, prefix+"-", 1)
	}
	return msg
}
