package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gitops/tools/internal/diff"
	"gitops/tools/internal/load"
)

func runDiff(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("diff", stderr)
	root := fs.String("root", ".", "repository `dir`ectory holding the estate and generated/ (inside a Git checkout)")
	generated := fs.String("generated", "generated", "compiled `dir`ectory of the merge request; a relative path is taken from --root")
	base := fs.String("base", "", "the `ref` to compare with (default: the merge-base with the target branch: $CI_MERGE_REQUEST_DIFF_BASE_SHA in GitLab CI, else origin/HEAD, main or master)")
	format := fs.String("format", "text", "report `format`: "+strings.Join(diff.Formats, ", "))
	if !parseFlags(fs, args, stderr) {
		return ExitUsage
	}
	if !slices.Contains(diff.Formats, *format) {
		fmt.Fprintf(stderr, "gitops diff: unknown format %q (want one of %s)\n", *format, strings.Join(diff.Formats, ", "))
		return ExitUsage
	}
	if err := checkRoot(*root); err != nil {
		fmt.Fprintf(stderr, "gitops diff: %v\n", err)
		return ExitUsage
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

// declaredAllowReplace lists the estate's allowReplace: entries; none when
// the estate cannot be read (apply then allows only its flags).
func declaredAllowReplace(root string) []string {
	e, _, err := load.LoadEstate(root)
	if err != nil || e == nil {
		return nil
	}
	var keys []string
	for _, entry := range e.AllowReplace() {
		keys = append(keys, entry.Key)
	}
	return keys
}
