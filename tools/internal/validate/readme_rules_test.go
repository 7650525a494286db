package validate

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var (
	// ruleUse matches a finding made with a literal rule id.
	ruleUse = regexp.MustCompile(`(?s)\bdiag\.(?:Errorf|Warningf)\(.{0,200}?,\s*"([a-z]+(?:-[a-z0-9]+)+)",`)
	// ruleID matches a rule id or a family (ending in -*) in backticks.
	ruleID = regexp.MustCompile("`([a-z]+(?:-[a-z0-9]+)*(?:-\\*)?)`")
	// literal matches a string literal that could be a rule id.
	literal = regexp.MustCompile(`"([a-z]+(?:-[a-z0-9]+)+)"`)
)

// TestREADMERuleTable: every rule id a check reports is in the README's
// rule table, by name or by a family (prefix-*) listed there, and every
// rule id the table names is one the code reports.
func TestREADMERuleTable(t *testing.T) {
	readme, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(readme), "## What validate checks")
	section, _, _ = strings.Cut(section, "\n## ")
	named, families := map[string]bool{}, []string{}
	for _, line := range strings.Split(section, "\n") {
		if !strings.HasPrefix(line, "| ") {
			continue
		}
		for _, m := range ruleID.FindAllStringSubmatch(line, -1) {
			if p, ok := strings.CutSuffix(m[1], "*"); ok {
				families = append(families, p)
			} else if strings.Contains(m[1], "-") {
				named[m[1]] = true
			}
		}
	}
	used, literals := map[string]string{}, map[string]bool{}
	err = filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range ruleUse.FindAllStringSubmatch(string(src), -1) {
			used[m[1]] = path
		}
		for _, m := range literal.FindAllStringSubmatch(string(src), -1) {
			literals[m[1]] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(used) < 100 || len(named) < 20 {
		t.Fatalf("found %d rules in the code and %d in the README's table; has their form changed?", len(used), len(named))
	}
	for id, path := range used {
		covered := named[id]
		for _, p := range families {
			covered = covered || strings.HasPrefix(id, p)
		}
		if !covered {
			t.Errorf("rule %s (%s) is not in the README's rule table", id, path)
		}
	}
	for id := range named {
		if !literals[id] {
			t.Errorf("the README's rule table names %s, which no check reports", id)
		}
	}
}
