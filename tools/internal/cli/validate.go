package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
	"gitops/tools/internal/load"
	"gitops/tools/internal/validate"
)

func runValidate(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("validate", stderr)
	root := fs.String("root", ".", "repository `dir`ectory holding accounts/, environments/ and imagerecipes/")
	format := fs.String("format", "text", "report `format`: "+strings.Join(diag.Formats, ", "))
	if !parseFlags(fs, args, stderr) {
		return ExitUsage
	}
	if !slices.Contains(diag.Formats, *format) {
		fmt.Fprintf(stderr, "gitops validate: unknown format %q (want one of %s)\n", *format, strings.Join(diag.Formats, ", "))
		return ExitUsage
	}
	if err := checkRoot(*root); err != nil {
		fmt.Fprintf(stderr, "gitops validate: %v\n", err)
		return ExitUsage
	}
	_, report, err := loadAndValidate(*root)
	if err != nil {
		fmt.Fprintf(stderr, "gitops validate: %v\n", err)
		return ExitUsage
	}
	if err := diag.Write(stdout, *format, report); err != nil {
		fmt.Fprintf(stderr, "gitops validate: %v\n", err)
		return ExitUsage
	}
	if hasErrors(report.Items) {
		return ExitFindings
	}
	return ExitOK
}

// estateDirs are the directories of the repository that hold the estate.
var estateDirs = []string{"accounts", "environments", "imagerecipes"}

// checkRoot refuses a --root that is not a directory or holds none of the
// estate's directories: a mistyped path would otherwise validate nothing
// and pass.
func checkRoot(root string) error {
	fi, err := os.Stat(root)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("--root %s: no such directory", root)
	case err != nil:
		return err
	case !fi.IsDir():
		return fmt.Errorf("--root %s is not a directory", root)
	}
	for _, dir := range estateDirs {
		if _, err := os.Stat(filepath.Join(root, dir)); err == nil {
			return nil
		}
	}
	return fmt.Errorf("--root %s holds none of %s/: give the repository's top directory", root, strings.Join(estateDirs, "/, "))
}

// loadAndValidate loads the estate under root and runs every check. The
// estate is nil when loading found errors the checks could not run past.
func loadAndValidate(root string) (*estate.Estate, diag.Report, error) {
	e, diags, err := load.LoadEstate(root)
	if err != nil {
		return nil, diag.Report{}, err
	}
	if diags.HasRule("yaml-syntax") || diags.HasRule("yaml-kind") {
		// A file that does not parse takes its documents with it; checks
		// would report every reference to them as undeclared.
		return nil, report(root, e, diags), nil
	}
	// A document with a decoding error is checked too, so one run reports
	// everything; only its own file's check findings are held back, since
	// they would repeat the decoding error in other words.
	loadErrs := map[string]bool{}
	for _, d := range diags.Items() {
		loadErrs[d.Pos.File] = loadErrs[d.Pos.File] || d.Severity == diag.Error
	}
	for _, d := range validate.Estate(e).Items() {
		if !loadErrs[d.Pos.File] {
			diags.Add(d)
		}
	}
	if hasErrors(diags.Items()) {
		return nil, report(root, e, diags), nil
	}
	return e, report(root, e, diags), nil
}

func report(root string, e *estate.Estate, diags *diag.List) diag.Report {
	return diag.Report{Root: root, Files: e.Files, Items: diag.CapPerFile(diags.Items())}
}

func hasErrors(items []diag.Diagnostic) bool {
	for _, d := range items {
		if d.Severity == diag.Error {
			return true
		}
	}
	return false
}
