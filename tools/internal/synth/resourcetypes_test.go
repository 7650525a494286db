package synth

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gitops/tools/internal/stacks"
)

// TestResourceTypesCovered: every resource type a construct of the synth
// can emit — every awsX.NewCfnY call in its sources, whoever added it —
// has its actions in the execution role's table (stacks.ResourceActions),
// so no account's execution role lacks what its stacks need.
func TestResourceTypesCovered(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	found := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pkg, ok := sel.X.(*ast.Ident)
			name, isCfn := strings.CutPrefix(sel.Sel.Name, "NewCfn")
			if !ok || !isCfn || !strings.HasPrefix(pkg.Name, "aws") || pkg.Name == "awscdk" {
				return true
			}
			found++
			typ := resourceType(pkg.Name, name)
			if typ == "" {
				t.Errorf("%s: %s.%s emits a resource type the execution role's table (stacks/execrole.go) does not hold: add its actions", fset.Position(sel.Pos()), pkg.Name, sel.Sel.Name)
			}
			return true
		})
	}
	if found < 40 {
		t.Fatalf("found %d resource constructs in the synth's sources; the scan is broken", found)
	}
}

// resourceType finds the CloudFormation type of construct NewCfn<name> of
// CDK package pkg (awsec2, …) among the table's types: AWS::<Service>::
// <name>, where the service lowercased is the package without "aws".
func resourceType(pkg, name string) string {
	service := strings.TrimPrefix(pkg, "aws")
	for _, typ := range knownResourceTypes() {
		parts := strings.Split(typ, "::")
		if len(parts) == 3 && strings.ToLower(parts[1]) == service && parts[2] == name {
			return typ
		}
	}
	return ""
}

// knownResourceTypes are the types of every stack kind's list that the
// table knows.
func knownResourceTypes() []string {
	var out []string
	for _, k := range allKinds {
		for _, typ := range stacks.KindResourceTypes(k) {
			if _, ok := stacks.ResourceActions(typ); ok && !slices.Contains(out, typ) {
				out = append(out, typ)
			}
		}
	}
	return out
}

var allKinds = []stacks.Kind{
	stacks.KindNetwork, stacks.KindTransitGateway, stacks.KindTGWRouting,
	stacks.KindGitLab, stacks.KindGitLabImage, stacks.KindDeployRole, stacks.KindMirrors, stacks.KindImageRecipe,
	stacks.KindAMIParameters, stacks.KindPipeline, stacks.KindApplication, stacks.KindAccessLogs,
	stacks.KindTemplateBucket,
}

// TestTemplatesWithinKindTypes: every resource of every synthesized stack
// (the fixture and its variant) is of a type its kind lists, which is what
// the account's execution role gets actions for.
func TestTemplatesWithinKindTypes(t *testing.T) {
	for _, set := range synthesizedSets(t) {
		for _, s := range set.plan.Stacks {
			types := stacks.KindResourceTypes(s.Kind)
			for id, r := range parse(t, set.templates[s.Template]).Resources {
				if !slices.Contains(types, r.Type) {
					t.Errorf("%s: %s is a %s, which kind %s does not list (stacks/execrole.go kindResourceTypes)", s.Template, id, r.Type, s.Kind)
				}
				if _, ok := stacks.ResourceActions(r.Type); !ok {
					t.Errorf("%s: %s is a %s, whose actions the execution role's table lacks", s.Template, id, r.Type)
				}
			}
		}
	}
}
