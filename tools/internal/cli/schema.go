package cli

import (
	"flag"

	"fmt"

	"gitops/tools/internal/schema"
)

func init() {
	register(&Command{
		Name:    "schema",
		Summary: "write the JSON Schemas of the document kinds into schemas/",
		Doc: `The schemas come from the Go types of the estate model and their doc comments; editors
with the YAML language server use them to complete and check keys as you type.`,
		Group: groupEstate,
		Exits: []Exit{
			{ExitOK, "the schemas are written (or, with --check, current)"},
			{ExitFindings, "with --check: a schema file is missing or out of date"},
		},
		Setup: func(fs *flag.FlagSet) Run {
			root := fs.String("root", ".", "repository `dir`ectory; the schemas go in its "+schema.Dir+"/")
			check := fs.Bool("check", false, "write nothing; exit 1 listing the schema files that are missing or out of date")
			return func(c *Call) int { return runSchema(c, *root, *check) }
		},
	})
}

// runSchema writes the JSON Schemas of the document kinds into schemas/, or
// with check lists the ones that are out of date without writing.
func runSchema(c *Call, root string, check bool) int {
	files, err := schema.Generate(root)
	if err != nil {
		return c.Errorf(ExitUsage, "%v", err)
	}
	if check {
		stale, err := schema.Stale(root, files)
		if err != nil {
			return c.Errorf(ExitUsage, "%v", err)
		}
		for _, p := range stale {
			fmt.Fprintf(c.Stdout, "%s is out of date\n", p)
		}
		if len(stale) > 0 {
			fmt.Fprintln(c.Stdout, "run gitops schema and commit the result")
			return ExitFindings
		}
		return ExitOK
	}
	written, err := schema.Write(root, files)
	for _, p := range written {
		fmt.Fprintf(c.Stdout, "wrote %s\n", p)
	}
	if err != nil {
		return c.Errorf(ExitUsage, "%v", err)
	}
	return ExitOK
}
