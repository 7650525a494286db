package validate

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/load"
)

// TestExampleEstateReach follows the README's "Add a VPC" for a new qa
// account on the repository's own estate, then makes each mistake of issue
// 11: every one must fail validate with a finding at the line to fix.
func TestExampleEstateReach(t *testing.T) {
	repo := filepath.Join("..", "..", "..")
	tgwFile := "environments/tooling/transit-gateway.yaml"
	qa := map[string]string{
		"accounts/qa.yaml": "kind: Account\nname: qa\nid: \"500000000005\"\nemail: aws-qa@example.com\nrole: workload\nregions: [eu-west-1]\n",
		"environments/qa/network.yaml": "kind: Network\naccount: qa\nregion: eu-west-1\nvpcs:\n  - name: qa-app\n    cidr: 10.24.0.0/16\n    azCount: 2\n" +
			"    subnets:\n      - {name: private, type: private, prefix: 22}\n      - {name: tgw, type: isolated, prefix: 28}\n    egress: {type: none}\n",
	}
	addQA := []string{
		"shareWith: [dev, stg, prod]", "shareWith: [dev, stg, prod, qa]",
		"  - name: prod-app\n    vpc: prod-app\n    subnets: [tgw-a, tgw-b]\n", "  - name: prod-app\n    vpc: prod-app\n    subnets: [tgw-a, tgw-b]\n  - name: qa-app\n    vpc: qa-app\n    subnets: [tgw-a, tgw-b]\n",
		"associations: [desktop, dev-app, stg-app, prod-app]", "associations: [desktop, dev-app, stg-app, prod-app, qa-app]",
		"propagations: [desktop, dev-app, stg-app, prod-app]", "propagations: [desktop, dev-app, stg-app, prod-app, qa-app]",
	}
	for _, tc := range []struct {
		name  string
		edits []string // to transit-gateway.yaml, after adding qa
		files map[string]string
		rule  string
		line  string // the line the finding must point at
	}{
		{name: "untouched"},
		{name: "qa added as the README says", edits: addQA},
		{name: "qa not propagated into shared-services", edits: append(slices.Clone(addQA),
			"propagations: [desktop, dev-app, stg-app, prod-app, qa-app]", "propagations: [desktop, dev-app, stg-app, prod-app]"),
			rule: "reach-unreachable", line: "    propagations: [desktop, dev-app, stg-app, prod-app]"},
		{name: "qa associated with shared-services", edits: append(slices.Clone(addQA),
			"associations: [gitlab]", "associations: [gitlab, qa-app]",
			"associations: [desktop, dev-app, stg-app, prod-app, qa-app]", "associations: [desktop, dev-app, stg-app, prod-app]"),
			rule: "reach-isolation", line: "    associations: [gitlab, qa-app]"},
		{name: "stg-app propagated into spokes", edits: []string{"propagations: [gitlab]", "propagations: [gitlab, stg-app]"},
			rule: "reach-isolation", line: "    propagations: [gitlab, stg-app]"},
		// The load balancer used to admit only its allowedCidrs; it now
		// admits what the intents allow, so the break is a VPC the intents
		// leave out while the routing carries it to GitLab.
		{name: "qa outside every intent", edits: addQA, files: map[string]string{"accounts/qa.yaml": strings.Replace(qa["accounts/qa.yaml"], "workload", "tooling", 1)},
			rule: "reach-gitlab-undeclared", line: "  allow:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			for _, dir := range []string{"accounts", "environments", "imagerecipes"} {
				if err := os.CopyFS(filepath.Join(root, dir), os.DirFS(filepath.Join(repo, dir))); err != nil {
					t.Fatal(err)
				}
			}
			write := func(name, body string) {
				p := filepath.Join(root, filepath.FromSlash(name))
				os.MkdirAll(filepath.Dir(p), 0o755)
				if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if len(tc.edits) > 0 {
				for name, body := range qa {
					write(name, body)
				}
				body, err := os.ReadFile(filepath.Join(root, tgwFile))
				if err != nil {
					t.Fatal(err)
				}
				write(tgwFile, edited(string(body), tc.edits...))
			}
			for name, body := range tc.files {
				write(name, body)
			}
			e, diags, err := load.LoadEstate(root)
			if err != nil {
				t.Fatal(err)
			}
			diags.Merge(Estate(e))
			items := diags.Items()
			if tc.rule == "" {
				for _, d := range items {
					if d.Severity == diag.Error || strings.HasPrefix(d.Rule, "reach-") {
						t.Errorf("unexpected finding: %s", d)
					}
				}
				return
			}
			body, _ := os.ReadFile(filepath.Join(root, tgwFile))
			lines := strings.Split(string(body), "\n")
			want := slices.Index(lines, tc.line) + 1
			if want == 0 {
				t.Fatalf("line %q is not in %s", tc.line, tgwFile)
			}
			for _, d := range items {
				if d.Rule == tc.rule && d.Pos.File == tgwFile && d.Pos.Line == want {
					return
				}
			}
			t.Errorf("no %s finding at %s:%s; findings:\n%s", tc.rule, tgwFile, strconv.Itoa(want), render(items))
		})
	}
}
