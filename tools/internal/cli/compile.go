package cli

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/load"
	"gitops/tools/internal/stacks"
)

func init() {
	register(&Command{
		Name:    "compile",
		Summary: "validate, then write the CloudFormation templates and manifest into generated/",
		Doc: `Synthesizes the stacks with the gitops-synth worker (the AWS CDK, in node), only those
whose inputs changed since the last run. The first run builds the worker with go build,
which takes a few minutes; build bin/ once (go build -o bin/ ./tools/cmd/...) to skip that.`,
		Group: groupEstate,
		Exits: []Exit{
			{ExitOK, "generated/ is written (or, with --check, current)"},
			{ExitFindings, "the estate has errors, synthesis failed, or (--check) generated/ is not current"},
		},
		Env: []string{"GITOPS_SYNTH", "GITOPS_CACHE", "GOTOOLCHAIN"},
		Setup: func(fs *flag.FlagSet) Run {
			root := rootFlag(fs)
			out := fs.String("out", "generated", "output `dir`ectory; a relative path is taken from --root")
			check := fs.Bool("check", false, "compile to memory and exit 1 listing what differs from --out; write nothing")
			return func(c *Call) int {
				if err := checkRoot(*root); err != nil {
					return c.Usagef("%v", err)
				}
				outDir := *out
				if !filepath.IsAbs(outDir) {
					outDir = filepath.Join(*root, outDir)
				}
				return compile(*root, outDir, *check, c.Stdout, c.Stderr)
			}
		},
	})
}

// compile validates the estate, plans its stacks, synthesizes those not in
// the template cache and writes (or, with check, compares) outDir.
func compile(root, outDir string, check bool, stdout, stderr io.Writer) int {
	// The first worker process loads node and the CDK while the estate is
	// validated and planned: an edit's compile waits for neither.
	spare := prestartSynthWorker()
	defer spare.stop()
	e, plan, report, err := loadAndValidate(root)
	if err != nil {
		fmt.Fprintf(stderr, "gitops compile: %v\n", err)
		return ExitUsage
	}
	if len(report.Items) > 0 {
		diag.Write(stderr, "text", report)
	}
	if e == nil {
		fmt.Fprintln(stderr, "gitops compile: the estate has errors; fix them first")
		return ExitFindings
	}
	if plan == nil { // validate plans an estate without errors; in case not
		if plan, err = stacks.Build(e); err != nil {
			fmt.Fprintf(stderr, "gitops compile: %v\n", err)
			return ExitFindings
		}
	}
	files, stats, err := compileFiles(root, plan, spare, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "gitops compile: %v\n", err)
		return ExitFindings
	}
	diff, err := diffTree(outDir, files)
	if err != nil {
		fmt.Fprintf(stderr, "gitops compile: %v\n", err)
		return ExitUsage
	}
	rel := displayPath(root, outDir)
	if check {
		if diff.empty() {
			fmt.Fprintf(stdout, "%s is current: %d stacks\n", rel, len(plan.Stacks))
			return ExitOK
		}
		fmt.Fprintf(stdout, "%s is not what the estate compiles to; run gitops compile and commit the result:\n", rel)
		for _, f := range diff.Added {
			fmt.Fprintf(stdout, "  missing  %s%s\n", rel, f)
		}
		for _, f := range diff.Removed {
			fmt.Fprintf(stdout, "  extra    %s%s\n", rel, f)
		}
		for _, f := range diff.Changed {
			fmt.Fprintf(stdout, "  differs  %s%s\n", rel, f)
		}
		return ExitFindings
	}
	if diff.empty() {
		fmt.Fprintf(stdout, "%s is up to date: %d stacks (%d synthesized)\n", rel, len(plan.Stacks), stats.synthesized)
		return ExitOK
	}
	if err := replaceTree(outDir, files, diff); err != nil {
		fmt.Fprintf(stderr, "gitops compile: writing %s: %v\n", rel, err)
		return ExitUsage
	}
	fmt.Fprintf(stdout, "wrote %s: %d stacks (%d synthesized); %d added, %d removed, %d changed files\n",
		rel, len(plan.Stacks), stats.synthesized, len(diff.Added), len(diff.Removed), len(diff.Changed))
	return ExitOK
}

type compileStats struct {
	synthesized int
}

// compileFiles returns the contents of generated/ for the plan: each
// template at its path, manifest.json and the image recipes' component
// documents. Templates come from the cache
// when their inputs are unchanged, else from the synth worker, whose first
// process may be spare, started early.
func compileFiles(root string, plan *stacks.Plan, spare *process, progress io.Writer) (map[string][]byte, compileStats, error) {
	var stats compileStats
	cache := templateCache{dir: cacheDir()}
	worker, err := findSynthWorker(root, cache.dir, progress)
	if err != nil {
		return nil, stats, err
	}
	worker.adopt(spare)
	templates := map[string][]byte{}
	keys := map[string]string{}
	var todo []*stacks.Stack
	for _, s := range plan.Stacks {
		key, err := cache.key(worker.id, s)
		if err != nil {
			return nil, stats, err
		}
		keys[s.ID] = key
		if data, ok := cache.get(key); ok {
			templates[s.ID] = data
		} else {
			todo = append(todo, s)
		}
	}
	if len(todo) > 0 {
		fresh, err := worker.synthesize(todo)
		if err != nil {
			return nil, stats, withOrigins(plan, err)
		}
		if err := checkTemplateLimits(todo, fresh); err != nil {
			return nil, stats, err
		}
		for _, s := range todo {
			templates[s.ID] = fresh[s.ID]
			cache.put(keys[s.ID], fresh[s.ID])
		}
		stats.synthesized = len(todo)
	}
	files := map[string][]byte{}
	for _, s := range plan.Stacks {
		files[s.Template] = templates[s.ID]
	}
	m := stacks.NewManifest(plan, templates)
	if m.EstateSHA256, err = load.EstateHash(root); err != nil {
		return nil, stats, err
	}
	manifest, err := m.Marshal()
	if err != nil {
		return nil, stats, err
	}
	files[stacks.ManifestFile] = manifest
	// The AWSTOE documents as ImageBuilder receives them, for review.
	for path, doc := range plan.RecipeDocuments() {
		files[path] = doc
	}
	return files, stats, nil
}

// displayPath shows dir relative to root when it lies inside it.
func displayPath(root, dir string) string {
	if rel, err := filepath.Rel(root, dir); err == nil && filepath.IsLocal(rel) {
		return filepath.ToSlash(rel) + "/"
	}
	return filepath.ToSlash(dir) + "/"
}
