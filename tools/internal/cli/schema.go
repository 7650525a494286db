package cli

import (
	"fmt"
	"io"

	"gitops/tools/internal/schema"
)

// runSchema writes the JSON Schemas of the document kinds into schemas/, or
// with --check lists the ones that are out of date without writing.
func runSchema(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("schema", stderr)
	root := fs.String("root", ".", "repository `dir`ectory; the schemas go in its "+schema.Dir+"/")
	check := fs.Bool("check", false, "write nothing; exit 1 listing the schema files that are missing or out of date")
	if !parseFlags(fs, args, stderr) {
		return ExitUsage
	}
	files, err := schema.Generate(*root)
	if err != nil {
		fmt.Fprintf(stderr, "gitops schema: %v\n", err)
		return ExitUsage
	}
	if *check {
		stale, err := schema.Stale(*root, files)
		if err != nil {
			fmt.Fprintf(stderr, "gitops schema: %v\n", err)
			return ExitUsage
		}
		for _, p := range stale {
			fmt.Fprintf(stdout, "%s is out of date\n", p)
		}
		if len(stale) > 0 {
			fmt.Fprintln(stdout, "run `go run ./tools/cmd/gitops schema` and commit the result")
			return ExitFindings
		}
		return ExitOK
	}
	written, err := schema.Write(*root, files)
	for _, p := range written {
		fmt.Fprintf(stdout, "wrote %s\n", p)
	}
	if err != nil {
		fmt.Fprintf(stderr, "gitops schema: %v\n", err)
		return ExitUsage
	}
	return ExitOK
}
