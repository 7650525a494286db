package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"gitops/tools/internal/apply"
)

func runApply(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("apply", stderr)
	f := addDeployFlags(fs)
	var allow stringList
	fs.Var(&allow, "allow-replace", "let the change sets replace or remove this stateful `TYPE/ID` (e.g. AWS::EFS::FileSystem/Data); repeatable")
	report := fs.String("report", "", "also write the result as plan.json and plan.md into `dir` (pipeline artifacts)")
	if !parseFlags(fs, args, stderr) {
		return ExitUsage
	}
	// The estate's allowReplace: entries count as given here, so apply
	// allows what gitops diff allowed in the merge request.
	allowed, err := apply.ParseAllowReplace(append(allow, declaredAllowReplace(f.root)...))
	if err != nil {
		fmt.Fprintf(stderr, "gitops apply: %v\n", err)
		return ExitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	d, selected, opts, code := f.setup(ctx, "apply", stderr)
	if code != ExitOK {
		return code
	}
	opts.AllowReplace = allowed
	opts.Progress = stdout
	fmt.Fprintf(stdout, "gitops apply: %d stacks, at most %d at once, change sets %s\n", len(selected), opts.Parallel, opts.ChangeSetName)
	result := apply.Apply(ctx, d, selected, opts)
	fmt.Fprintf(stdout, "\ngitops apply: %s (%s)\n", result.Summary(), time.Duration(result.Elapsed).Round(time.Second))
	for _, s := range result.Stacks {
		if s.Error != "" {
			fmt.Fprintf(stdout, "  %s: %s: %s\n", s.ID, s.Outcome, s.Error)
		}
	}
	if *report != "" {
		if err := writeReports(*report, result); err != nil {
			fmt.Fprintf(stderr, "gitops apply: %v\n", err)
			return ExitUsage
		}
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
