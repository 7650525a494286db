package validate

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/load"
)

// baseEstate is a small valid estate the rule tests start from: a tooling
// and a production workload account with one VPC each. Rows replace or add
// files to trigger (or not trigger) one rule.
var baseEstate = map[string]string{
	"accounts/tooling.yaml": `kind: Account
name: tooling
id: "111111111111"
email: tooling@example.com
role: tooling
regions: [eu-west-1]
`,
	"accounts/prod.yaml": `kind: Account
name: prod
id: "222222222222"
email: prod@example.com
role: workload
production: true
regions: [eu-west-1]
`,
	"environments/tooling/network.yaml": `kind: Network
account: tooling
region: eu-west-1
vpcs:
  - name: build
    cidr: 10.0.0.0/16
    azCount: 2
    subnets:
      - {name: private, type: private, prefix: 24}
      - {name: public, type: public, prefix: 24}
    egress: {type: natGateway}
`,
	"environments/prod/network.yaml": `kind: Network
account: prod
region: eu-west-1
vpcs:
  - name: app
    cidr: 10.1.0.0/16
    azCount: 2
    subnets:
      - {name: private, type: private, prefix: 24}
    egress: {type: none}
`,
}

// validateFiles writes the base estate with files laid over it (an empty
// string deletes a base file), loads and validates it, and returns every
// finding of loading and checking.
func validateFiles(t *testing.T, files map[string]string) []diag.Diagnostic {
	t.Helper()
	root := t.TempDir()
	all := map[string]string{}
	for name, body := range baseEstate {
		all[name] = body
	}
	for name, body := range files {
		all[name] = body
	}
	writeTree(t, root, all)
	e, diags, err := load.LoadEstate(root)
	if err != nil {
		t.Fatal(err)
	}
	diags.Merge(Estate(e))
	for _, p := range positionPathProblems(e) {
		t.Error(p)
	}
	return diags.Items()
}

// ruleCase is one row of a rule table: files that trigger the rule (bad) and
// files that do not (good), both laid over the base estate.
type ruleCase struct {
	rule string
	// where the finding must point, as file:line (checked on bad).
	at string
	// related is a position, as file:line, the finding must carry as a
	// related one (the first declaration of a duplicate, say).
	related string
	bad     map[string]string
	good    map[string]string
	// fixtureNearMiss says why the untouched fixture is itself the
	// nearest good input (the one-character fix of a typo, a boundary the
	// fixture sits on); without it a good case equal to a fixture fails.
	fixtureNearMiss string
}

// runRuleCases checks each row: bad yields the rule at the given place, good
// yields no finding of that rule (warning or error) and no error at all.
func runRuleCases(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.rule+"/bad", func(t *testing.T) {
			got := validateFiles(t, tc.bad)
			var places, related []string
			for _, d := range got {
				if d.Rule == tc.rule {
					places = append(places, d.Pos.File+":"+strconv.Itoa(d.Pos.Line))
					for _, r := range d.Related {
						related = append(related, r.Pos.File+":"+strconv.Itoa(r.Pos.Line))
					}
				}
			}
			if tc.related != "" && !slices.Contains(related, tc.related) {
				t.Errorf("rule %s carries related positions %v, want %s", tc.rule, related, tc.related)
			}
			if len(places) == 0 {
				t.Fatalf("rule %s did not fire; findings:\n%s", tc.rule, render(got))
			}
			if tc.at != "" && !slices.Contains(places, tc.at) {
				t.Errorf("rule %s fired at %v, want %s", tc.rule, places, tc.at)
			}
		})
		t.Run(tc.rule+"/nearmiss", func(t *testing.T) {
			name, untouched := untouchedFixture(tc.good)
			if tc.fixtureNearMiss != "" {
				if !untouched {
					t.Errorf("good case is not a fixture; drop fixtureNearMiss")
				}
				return
			}
			if untouched {
				t.Errorf("good case is the untouched %s fixture; make it a near miss: the smallest edit of bad that must not trigger %s", name, tc.rule)
			}
		})
		t.Run(tc.rule+"/good", func(t *testing.T) {
			// Good files yield no error at all, and not even a warning of
			// the row's own rule.
			got := validateFiles(t, tc.good)
			for _, d := range got {
				if d.Severity == diag.Error || d.Rule == tc.rule {
					t.Errorf("unexpected finding: %s", d)
				}
			}
		})
	}
}

// pristineFixtures are the untouched fixtures rows start from. A good case
// equal to one of them proves only that the fixture is clean, not where the
// rule's boundary lies, so runRuleCases refuses it. Add a new fixture here
// when you add its builder.
func pristineFixtures() map[string]map[string]string {
	return map[string]map[string]string{
		"base":       {},
		"network":    network(),
		"tgw":        tgw(),
		"hub":        hub(),
		"gitlab":     withGitLab(nil),
		"mirror":     withMirror(nil),
		"pipeline":   withPipeline(nil),
		"recipe":     recipeFiles(),
		"recipe+app": recipeFiles(appFile, goodApp),
		"offline":    offline("", "", "", ""),
		"no-intents": hubWithoutIntents(),
	}
}

// untouchedFixture reports which pristine fixture files equals once both
// are laid over the base estate.
func untouchedFixture(files map[string]string) (string, bool) {
	got := overlay(files)
	for name, fixture := range pristineFixtures() {
		if maps.Equal(got, overlay(fixture)) {
			return name, true
		}
	}
	return "", false
}

// overlay lays files over the base estate; an empty body deletes a file.
func overlay(files map[string]string) map[string]string {
	all := maps.Clone(baseEstate)
	for name, body := range files {
		all[name] = body
	}
	maps.DeleteFunc(all, func(_, body string) bool { return body == "" })
	return all
}

func TestUntouchedFixtureIsRefused(t *testing.T) {
	if _, ok := untouchedFixture(network()); !ok {
		t.Error("network() not recognised as untouched")
	}
	if _, ok := untouchedFixture(network("azCount: 2", "azCount: 3")); ok {
		t.Error("an edited network taken for the untouched fixture")
	}
}

func render(ds []diag.Diagnostic) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.String() + "\n")
	}
	return b.String()
}

// writeTree writes files (name → body; an empty body is skipped) under root.
func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		if body == "" {
			continue
		}
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
