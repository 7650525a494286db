package schema

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// TestExamplesValidate validates every document of the example estate
// shipped in the repository against its kind's schema, and checks that each
// file names that schema on its first line for the YAML language server.
func TestExamplesValidate(t *testing.T) {
	schemas := compileSchemas(t)
	used := map[string]int{}
	for _, file := range exampleFiles(t) {
		data, err := os.ReadFile(filepath.Join(repoRoot, filepath.FromSlash(file)))
		if err != nil {
			t.Fatal(err)
		}
		docs, err := yamlDocuments(data)
		if err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		if len(docs) == 0 {
			t.Errorf("%s: no document", file)
		}
		var kinds []string
		for i, doc := range docs {
			kind := ""
			if !strings.HasPrefix(file, "imagerecipes/components/") {
				m, _ := doc.(map[string]any)
				kind, _ = m["kind"].(string)
			}
			k, ok := ForKind(kind)
			if !ok {
				t.Errorf("%s document %d: no schema for kind %q", file, i+1, kind)
				continue
			}
			kinds = append(kinds, k.Path())
			used[k.Name]++
			if err := schemas[kind].Validate(doc); err != nil {
				t.Errorf("%s document %d: %v", file, i+1, err)
			}
		}
		checkModeline(t, file, string(data), kinds)
	}
	for _, k := range Kinds {
		if used[k.Name] == 0 {
			t.Errorf("no example document uses %s", k.Path())
		}
	}
}

// checkModeline checks the file's first line points at the schema of its
// documents, relative to the file, and the second line says what it is.
func checkModeline(t *testing.T, file, data string, schemas []string) {
	t.Helper()
	lines := strings.SplitN(data, "\n", 3)
	schema, ok := strings.CutPrefix(lines[0], "# yaml-language-server: $schema=")
	if !ok {
		t.Errorf("%s:1: want # yaml-language-server: $schema=<path to the schema>", file)
		return
	}
	got := path.Join(path.Dir(file), schema)
	for _, want := range schemas {
		if got != want {
			t.Errorf("%s:1: $schema=%s is %s, want %s", file, schema, got, want)
		}
	}
	if len(lines) < 2 || !strings.HasPrefix(lines[1], "# ") {
		t.Errorf("%s:2: want a comment saying what the file is", file)
	}
}

// exampleFiles lists the estate's YAML files, relative to the repository root.
func exampleFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, dir := range []string{"accounts", "environments", "imagerecipes"} {
		err := filepath.WalkDir(filepath.Join(repoRoot, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml") {
				rel, err := filepath.Rel(repoRoot, p)
				if err != nil {
					return err
				}
				files = append(files, filepath.ToSlash(rel))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(files) == 0 {
		t.Fatal("no example files found")
	}
	return files
}
