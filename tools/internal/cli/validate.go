package cli

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
	"gitops/tools/internal/load"
	"gitops/tools/internal/stacks"
	"gitops/tools/internal/validate"
)

func init() {
	register(&Command{
		Name:    "validate",
		Summary: "check the estate's YAML; no AWS access, no CDK",
		Doc: `Reads accounts/, environments/ and imagerecipes/ strictly and reports every finding
at once, like a compiler: file:line:column, the source line, a hint and a rule id.`,
		Group: groupEstate,
		Exits: []Exit{{ExitOK, "no errors (warnings allowed)"}, {ExitFindings, "the estate has errors"}},
		Setup: func(fs *flag.FlagSet) Run {
			root := rootFlag(fs)
			format := fs.String("format", "text", "report `format`: "+strings.Join(diag.Formats, ", "))
			return func(c *Call) int {
				if !slices.Contains(diag.Formats, *format) {
					return c.Usagef("unknown format %q (want one of %s)", *format, strings.Join(diag.Formats, ", "))
				}
				if err := checkRoot(*root); err != nil {
					return c.Usagef("%v", err)
				}
				tuneGC(*root)
				_, _, report, err := loadAndValidate(*root)
				if err != nil {
					return c.Errorf(ExitUsage, "%v", err)
				}
				if err := diag.Write(c.Stdout, *format, report); err != nil {
					return c.Errorf(ExitUsage, "%v", err)
				}
				if hasErrors(report.Items) {
					return ExitFindings
				}
				return ExitOK
			}
		},
	})
}

// tuneGC sets validate's garbage collector for the estate under root,
// unless GOGC or GOMEMLIMIT says otherwise. The YAML parser makes a few
// hundred bytes of short-lived garbage per input byte, while what stays
// live (the estate, its positions, the plan) is about 12 bytes per input
// byte. The default (collect at twice the live heap) spends a sixth of a
// large estate's CPU collecting; collecting at four times the live heap,
// but by 24 bytes per input byte (plus 32 MiB) at the latest, took 2,000
// accounts / 8,000 VPCs / 80,000 routes (8 MB of YAML) from 2.45 to 2.25 s
// of CPU and from 240-270 to 235 MiB peak RSS (tools/bench.sh). The limit
// grows with the estate, so memory stays linear and a larger estate is not
// starved into collecting constantly.
func tuneGC(root string) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	var size int64
	for _, dir := range estateDirs {
		filepath.WalkDir(filepath.Join(root, dir), func(_ string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				if fi, err := d.Info(); err == nil {
					size += fi.Size()
				}
			}
			return nil
		})
	}
	debug.SetGCPercent(300)
	debug.SetMemoryLimit(32<<20 + 24*size)
}

// rootFlag is --root, the repository every command works on.
func rootFlag(fs *flag.FlagSet) *string {
	return fs.String("root", ".", "repository `dir`ectory holding accounts/, environments/ and imagerecipes/")
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
// estate is nil when loading found errors the checks could not run past;
// the plan (the limit checks' stacks.Build) is nil when there are errors.
func loadAndValidate(root string) (*estate.Estate, *stacks.Plan, diag.Report, error) {
	e, diags, err := load.LoadEstate(root)
	if err != nil {
		return nil, nil, diag.Report{}, err
	}
	if slices.ContainsFunc(load.DroppingRules, diags.HasRule) {
		// A file that does not parse takes its documents with it; checks
		// would report every reference to them as undeclared.
		return nil, nil, report(root, e, diags), nil
	}
	// A document with a decoding error is checked too, so one run reports
	// everything; only check findings on the line of a decoding error are
	// held back, since they would repeat it in other words (a value of the
	// wrong type is left empty, and its checks find it empty).
	type line struct {
		file string
		line int
	}
	loadErrs := map[line]bool{}
	for _, d := range diags.Items() {
		if d.Severity == diag.Error {
			loadErrs[line{d.Pos.File, d.Pos.Line}] = true
		}
	}
	found, plan := validate.EstatePlan(e)
	for _, d := range found.Items() {
		// The planner assumes a valid estate: after a decoding error its
		// failure only repeats the loader's finding (as a gap in validate,
		// at an unrelated position).
		if loadErrs[line{d.Pos.File, d.Pos.Line}] || len(loadErrs) > 0 && d.Rule == "limit-plan" {
			continue
		}
		diags.Add(d)
	}
	if hasErrors(diags.Items()) {
		return nil, nil, report(root, e, diags), nil
	}
	return e, plan, report(root, e, diags), nil
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
