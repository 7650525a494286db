package diff

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// emittedTypes lists the resource types of every template the compiler
// wrote into the repository: the example estate's generated/ and the synth
// package's golden estates. A type a helper adds to the synth shows up in
// one of them (compile --check and the golden tests see to that).
func emittedTypes(t *testing.T) map[string][]string {
	t.Helper()
	types := map[string][]string{}
	for _, dir := range []string{"../../../generated", "../synth/testdata/golden", "../apply/testdata"} {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".template.json") {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			var tmpl struct {
				Resources map[string]struct{ Type string }
			}
			if err := json.Unmarshal(data, &tmpl); err != nil {
				return err
			}
			for _, r := range tmpl.Resources {
				types[r.Type] = append(types[r.Type], p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return types
}

func TestCreateOnlyTableCoversEmittedTypes(t *testing.T) {
	types := emittedTypes(t)
	if len(types) < 20 {
		t.Fatalf("found only %d resource types in the compiled templates; is generated/ there?", len(types))
	}
	for typ, files := range types {
		if !KnownType(typ) {
			t.Errorf("%s (in %s) is not in the create-only table: run go generate ./tools/internal/diff", typ, files[0])
		}
	}
}

func TestCreateOnlyTableHasKnownEntries(t *testing.T) {
	// Spot checks against the registry schemas' documented create-only properties.
	for typ, prop := range map[string]string{
		"AWS::EC2::Subnet":            "CidrBlock",
		"AWS::EC2::VPC":               "CidrBlock",
		"AWS::EFS::FileSystem":        "Encrypted",
		"AWS::SSM::Parameter":         "Name",
		"AWS::CodeCommit::Repository": "",
	} {
		co, ok := createOnlyOf(typ)
		if !ok {
			t.Errorf("%s missing", typ)
			continue
		}
		if prop != "" && !slices.Contains(co.Always, prop) {
			t.Errorf("%s: %s is not create-only: %v", typ, prop, co.Always)
		}
	}
	if _, ok := createOnlyOf("Custom::Anything"); !ok {
		t.Error("custom resources take AWS::CloudFormation::CustomResource's schema")
	}
}
