package cli

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gitops/tools/internal/diff"
)

func init() {
	register(&Command{
		Name:    "diff",
		Summary: "predict offline what the merge request changes in AWS, and flag dangerous changes",
		Doc: `Compares generated/ and the estate with the base of the merge request (read from Git), with
no AWS access: which stacks and resources change, and the dangerous changes (a stateful
resource replaced, a GitLab upgrade that skips a required stop, renumbered subnets, …), each
traced to the YAML that causes it. An allowReplace: entry in the YAML accepts one.`,
		Group: groupEstate,
		Exits: []Exit{
			{ExitOK, "no dangerous change without its allowReplace: entry"},
			{ExitFindings, "a dangerous change the estate does not allow"},
		},
		Env: []string{"CI_MERGE_REQUEST_TARGET_BRANCH_SHA", "CI_MERGE_REQUEST_DIFF_BASE_SHA", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "CI_DEFAULT_BRANCH"},
		Setup: func(fs *flag.FlagSet) Run {
			root := fs.String("root", ".", "repository `dir`ectory holding the estate and generated/ (inside a Git checkout)")
			generated := fs.String("generated", "generated", "compiled `dir`ectory of the merge request; a relative path is taken from --root")
			base := fs.String("base", "", "the `ref` to compare with (default: in GitLab CI the target branch's commit of a merged-results pipeline or the merge request's diff base; else the merge-base of HEAD and origin/HEAD, main or master)")
			format := fs.String("format", "text", "report `format`: "+strings.Join(diff.Formats, ", "))
			return func(c *Call) int { return runDiff(c, root, generated, base, format) }
		},
	})
}

func runDiff(c *Call, root, generated, base, format *string) int {
	stdout, stderr := c.Stdout, c.Stderr
	if !slices.Contains(diff.Formats, *format) {
		return c.Usagef("unknown format %q (want one of %s)", *format, strings.Join(diff.Formats, ", "))
	}
	if err := checkRoot(*root); err != nil {
		return c.Usagef("%v", err)
	}
	dir := *generated
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(*root, dir)
	}
	rev := *base
	if rev == "" {
		var err error
		if rev, err = diff.MergeBase(*root, os.Getenv); err != nil {
			fmt.Fprintf(stderr, "gitops diff: %v\n", err)
			return ExitUsage
		}
	}
	baseSide, err := diff.ReadGit(*root, rev)
	if err != nil {
		fmt.Fprintf(stderr, "gitops diff: %v\n", err)
		return ExitUsage
	}
	headSide, err := diff.ReadDir(*root, dir)
	if err != nil {
		fmt.Fprintf(stderr, "gitops diff: %v\n", err)
		return ExitUsage
	}
	result := diff.Run(baseSide, headSide)
	if err := diff.Write(stdout, *format, *root, result); err != nil {
		fmt.Fprintf(stderr, "gitops diff: %v\n", err)
		return ExitUsage
	}
	if result.Errors() > 0 {
		return ExitFindings
	}
	return ExitOK
}
