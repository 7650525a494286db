package cli

import (
	"fmt"
	"io"
	"path/filepath"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/stacks"
)

func runCompile(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("compile", stderr)
	root := fs.String("root", ".", "repository `dir`ectory holding accounts/, environments/ and imagerecipes/")
	out := fs.String("out", "generated", "output `dir`ectory; a relative path is taken from --root")
	check := fs.Bool("check", false, "compile to a temporary directory and fail with a summary when --out differs")
	if !parseFlags(fs, args, stderr) {
		return ExitUsage
	}
	outDir := *out
	if !filepath.IsAbs(outDir) {
		outDir = filepath.Join(*root, outDir)
	}
	return compile(*root, outDir, *check, stdout, stderr)
}

// compile validates the estate, plans its stacks, synthesizes those not in
// the template cache and writes (or, with check, compares) outDir.
func compile(root, outDir string, check bool, stdout, stderr io.Writer) int {
	e, report, err := loadAndValidate(root)
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
	plan, err := stacks.Build(e)
	if err != nil {
		fmt.Fprintf(stderr, "gitops compile: %v\n", err)
		return ExitFindings
	}
	files, stats, err := compileFiles(root, plan)
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
		fmt.Fprintf(stdout, "%s is not current; run gitops compile and commit the result:\n", rel)
		for _, f := range diff.Added {
			fmt.Fprintf(stdout, "  added    %s\n", f)
		}
		for _, f := range diff.Removed {
			fmt.Fprintf(stdout, "  removed  %s\n", f)
		}
		for _, f := range diff.Changed {
			fmt.Fprintf(stdout, "  changed  %s\n", f)
		}
		return ExitFindings
	}
	if diff.empty() {
		fmt.Fprintf(stdout, "%s is up to date: %d stacks (%d synthesized)\n", rel, len(plan.Stacks), stats.synthesized)
		return ExitOK
	}
	if err := replaceTree(outDir, files); err != nil {
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
// when their inputs are unchanged, else from the synth worker.
func compileFiles(root string, plan *stacks.Plan) (map[string][]byte, compileStats, error) {
	var stats compileStats
	cache := templateCache{dir: cacheDir()}
	worker, err := findSynthWorker(root, cache.dir)
	if err != nil {
		return nil, stats, err
	}
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
	manifest, err := stacks.NewManifest(plan, templates).Marshal()
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
	return dir
}
