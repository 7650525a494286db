package schema

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestDescriptionsAreWrittenForAPerson: the doc comments of the model's
// YAML fields become the schemas' descriptions, which editors show on
// hover. A description starting with the Go field name ("AZCount spreads…")
// reads as code to someone editing YAML, where the key is azCount.
func TestDescriptionsAreWrittenForAPerson(t *testing.T) {
	dir := filepath.Join("..", "..", "..", filepath.FromSlash(ModelDir))
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no model files in %s: %v", dir, err)
	}
	fields := 0
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			field, ok := n.(*ast.Field)
			if !ok || field.Tag == nil || len(field.Names) == 0 {
				return true
			}
			tag := reflect.StructTag(strings.Trim(field.Tag.Value, "`")).Get("yaml")
			if tag == "" || tag == "-" {
				return true
			}
			fields++
			name := field.Names[0].Name
			doc := strings.TrimSpace(field.Doc.Text())
			switch first, _, _ := strings.Cut(doc, " "); {
			case doc == "":
				t.Errorf("%s: field %s (%s) has no doc comment: it is the schema's description", fset.Position(field.Pos()), name, tag)
			case strings.TrimRight(first, ".,:;") == name:
				t.Errorf("%s: the description of %s starts with its Go name: %q", fset.Position(field.Pos()), name, doc)
			}
			return true
		})
	}
	if fields < 100 {
		t.Errorf("checked only %d fields; has the model moved?", fields)
	}
}
