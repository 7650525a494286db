package diag

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gitops/tools/internal/estate"
)

// writeRoot writes files (slash-separated paths) under a new directory.
func writeRoot(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, body := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func at(file string, line, col int) estate.Pos { return estate.Pos{File: file, Line: line, Col: col} }

func write(t *testing.T, format string, r Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, format, r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestTextReport(t *testing.T) {
	root := writeRoot(t, map[string]string{
		"accounts/a.yaml":       "kind: Account\nname: a\n",
		"accounts/tabs.yaml":    "vpcs:\n\t- name:\tx\n",
		"accounts/unicode.yaml": "tags: {äöü: 1}\n",
		"accounts/crlf.yaml":    "kind: Account\r\nname: b\r\n",
	})
	r := Report{Root: root, Files: []string{"accounts/a.yaml", "accounts/crlf.yaml", "accounts/tabs.yaml", "accounts/unicode.yaml"}, Items: []Diagnostic{
		Errorf(at("accounts/a.yaml", 2, 7), "account-name", "bad name %q", "a").WithHint("rename it"),
		Warningf(at("accounts/a.yaml", 1, 1), "account-suspicious", "looks odd"),
		Errorf(at("accounts/crlf.yaml", 2, 7), "account-name", "bad name %q", "b"),
		Errorf(at("accounts/tabs.yaml", 2, 10), "tab", "after two tabs"),
		Errorf(at("accounts/unicode.yaml", 1, 13), "yaml-type", "after three two-byte letters"),
		Errorf(at("accounts/gone.yaml", 3, 1), "gone", "a file that cannot be read has no source line"),
		Errorf(at("accounts/a.yaml", 40, 1), "past-end", "a line past the end has no source line"),
		Errorf(at("accounts/a.yaml", 2, 9), "eol", "a column just past the end of the line"),
	}}
	want := `accounts/a.yaml:2:7: error: bad name "a" [account-name]
    2 | name: a
      |       ^
      = hint: rename it
accounts/a.yaml:1:1: warning: looks odd [account-suspicious]
    1 | kind: Account
      | ^
accounts/crlf.yaml:2:7: error: bad name "b" [account-name]
    2 | name: b
      |       ^
accounts/tabs.yaml:2:10: error: after two tabs [tab]
    2 | ` + "\t- name:\tx" + `
      | ` + "\t       \t" + `^
accounts/unicode.yaml:1:13: error: after three two-byte letters [yaml-type]
    1 | tags: {äöü: 1}
      |             ^
accounts/gone.yaml:3:1: error: a file that cannot be read has no source line [gone]
accounts/a.yaml:40:1: error: a line past the end has no source line [past-end]
accounts/a.yaml:2:9: error: a column just past the end of the line [eol]
    2 | name: a
      |         ^
7 errors, 1 warning in 4 files
`
	if got := write(t, "text", r); got != want {
		t.Errorf("text report:\n%s\nwant:\n%s", got, want)
	}
}

func TestTextSummary(t *testing.T) {
	for _, tc := range []struct {
		files int
		items []Diagnostic
		want  string
	}{
		{3, nil, "ok: 3 files, no findings\n"},
		{1, nil, "ok: 1 file, no findings\n"},
		{0, nil, "ok: 0 files, no findings\n"},
		{2, []Diagnostic{Errorf(at("x.yaml", 1, 1), "r", "m")}, "1 error, 0 warnings in 2 files\n"},
		{1, []Diagnostic{Warningf(at("x.yaml", 1, 1), "r", "m"), Warningf(at("x.yaml", 2, 1), "r", "m")}, "0 errors, 2 warnings in 1 file\n"},
	} {
		r := Report{Root: t.TempDir(), Files: make([]string, tc.files), Items: tc.items}
		got := write(t, "text", r)
		if lines := strings.SplitAfter(got, "\n"); lines[len(lines)-2] != tc.want {
			t.Errorf("summary of %d files and %d findings = %q, want %q", tc.files, len(tc.items), lines[len(lines)-2], tc.want)
		}
	}
}

func TestJSONReport(t *testing.T) {
	r := Report{Files: []string{"a.yaml", "b.yaml"}, Items: []Diagnostic{
		Errorf(at("a.yaml", 3, 5), "account-id", "id %q", "1").WithHint("twelve digits"),
		Warningf(at("b.yaml", 1, 2), "account-odd", "odd"),
	}}
	var got struct {
		Files, Errors, Warnings int
		Findings                []map[string]any
	}
	out := write(t, "json", r)
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if got.Files != 2 || got.Errors != 1 || got.Warnings != 1 || len(got.Findings) != 2 {
		t.Fatalf("counts: %+v", got)
	}
	want := map[string]any{"file": "a.yaml", "line": 3.0, "column": 5.0, "severity": "error", "rule": "account-id", "message": `id "1"`, "hint": "twelve digits"}
	for k, v := range want {
		if got.Findings[0][k] != v {
			t.Errorf("findings[0].%s = %v, want %v", k, got.Findings[0][k], v)
		}
	}
	if got.Findings[1]["severity"] != "warning" {
		t.Errorf("findings[1].severity = %v, want warning", got.Findings[1]["severity"])
	}
	if _, ok := got.Findings[1]["hint"]; ok {
		t.Errorf("an empty hint is left out: %v", got.Findings[1])
	}

	// No findings is an empty list, not null, so consumers can iterate.
	if out := write(t, "json", Report{}); !strings.Contains(out, `"findings": []`) {
		t.Errorf("empty report:\n%s", out)
	}
}

type cqIssue struct {
	Description string `json:"description"`
	CheckName   string `json:"check_name"`
	Fingerprint string `json:"fingerprint"`
	Severity    string `json:"severity"`
	Location    struct {
		Path  string `json:"path"`
		Lines struct {
			Begin int `json:"begin"`
		} `json:"lines"`
	} `json:"location"`
}

func codeQuality(t *testing.T, items ...Diagnostic) []cqIssue {
	t.Helper()
	out := write(t, "codequality", Report{Items: items})
	var issues []cqIssue
	if err := json.Unmarshal([]byte(out), &issues); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(issues) != len(items) {
		t.Fatalf("got %d issues for %d findings", len(issues), len(items))
	}
	return issues
}

func TestCodeQualityReport(t *testing.T) {
	issues := codeQuality(t,
		Errorf(at("accounts/a.yaml", 7, 3), "account-id", "id is short").WithHint("twelve digits"),
		Warningf(at("accounts/a.yaml", 9, 1), "account-odd", "odd"),
	)
	is := issues[0]
	if is.Description != "id is short (twelve digits)" || is.CheckName != "account-id" || is.Severity != "major" ||
		is.Location.Path != "accounts/a.yaml" || is.Location.Lines.Begin != 7 || len(is.Fingerprint) != 32 {
		t.Errorf("issue = %+v", is)
	}
	if issues[1].Severity != "minor" || issues[1].Description != "odd" {
		t.Errorf("warning issue = %+v", issues[1])
	}
	if out := write(t, "codequality", Report{}); strings.TrimSpace(out) != "[]" {
		t.Errorf("empty report = %q, want []", out)
	}
}

func TestCodeQualityFingerprint(t *testing.T) {
	base := Errorf(at("accounts/a.yaml", 7, 3), "account-id", "id is short")
	fp := func(d Diagnostic) string { return codeQuality(t, d)[0].Fingerprint }

	moved := base
	moved.Pos.Line, moved.Pos.Col = 12, 5
	if fp(moved) != fp(base) {
		t.Error("the fingerprint changed when the finding moved to another line")
	}
	hinted := base.WithHint("a new hint")
	if fp(hinted) != fp(base) {
		t.Error("the fingerprint changed with the hint")
	}
	for name, d := range map[string]Diagnostic{
		"rule":    {Pos: base.Pos, Rule: "account-email", Message: base.Message},
		"file":    {Pos: at("accounts/b.yaml", 7, 3), Rule: base.Rule, Message: base.Message},
		"message": {Pos: base.Pos, Rule: base.Rule, Message: "id is long"},
	} {
		if fp(d) == fp(base) {
			t.Errorf("another %s, same fingerprint", name)
		}
	}

	// Two findings alike but for their place get distinct fingerprints, each
	// stable when both move.
	second := base
	second.Pos.Line = 20
	two := codeQuality(t, base, second)
	if two[0].Fingerprint == two[1].Fingerprint {
		t.Error("two findings share a fingerprint; GitLab would show one")
	}
	if two[0].Fingerprint != fp(base) {
		t.Error("the first of two alike findings should keep the fingerprint it has alone")
	}
	base.Pos.Line, second.Pos.Line = 8, 21
	if again := codeQuality(t, base, second); again[0].Fingerprint != two[0].Fingerprint || again[1].Fingerprint != two[1].Fingerprint {
		t.Error("fingerprints of alike findings changed when both moved")
	}
}

type junitReport struct {
	Name     string `xml:"name,attr"`
	Tests    int    `xml:"tests,attr"`
	Failures int    `xml:"failures,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Cases    []struct {
			Name      string `xml:"name,attr"`
			ClassName string `xml:"classname,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestJUnitReport(t *testing.T) {
	r := Report{
		Files: []string{"accounts/a.yaml", "accounts/b.yaml", "accounts/c.yaml"},
		Items: []Diagnostic{
			Errorf(at("accounts/b.yaml", 2, 1), "yaml-type", "first <bad> & \"quoted\"").WithHint("fix it"),
			Errorf(at("accounts/b.yaml", 5, 1), "yaml-type", "second"),
			Errorf(at("accounts/b.yaml", 3, 1), "yaml-unknown-key", "third"),
			Warningf(at("accounts/a.yaml", 1, 1), "account-odd", "only a warning"),
		},
	}
	out := write(t, "junit", r)
	if !strings.HasPrefix(out, xml.Header) {
		t.Errorf("no XML header:\n%s", out)
	}
	var got junitReport
	if err := xml.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not XML: %v\n%s", err, out)
	}
	if got.Name != "gitops" || got.Tests != 4 || got.Failures != 2 || len(got.Suites) != 1 {
		t.Fatalf("report = %+v", got)
	}
	s := got.Suites[0]
	if s.Tests != 4 || s.Failures != 2 {
		t.Errorf("suite counts tests=%d failures=%d, want 4 and 2", s.Tests, s.Failures)
	}
	// One case per rule and file, sorted by file then rule; a clean file passes.
	var cases []string
	for _, c := range s.Cases {
		cases = append(cases, c.ClassName+" "+c.Name+" failed="+map[bool]string{true: "yes", false: "no"}[c.Failure != nil])
	}
	want := []string{
		"accounts/a.yaml account-odd failed=no",
		"accounts/b.yaml yaml-type failed=yes",
		"accounts/b.yaml yaml-unknown-key failed=yes",
		"accounts/c.yaml valid failed=no",
	}
	if strings.Join(cases, "\n") != strings.Join(want, "\n") {
		t.Errorf("cases:\n%s\nwant:\n%s", strings.Join(cases, "\n"), strings.Join(want, "\n"))
	}
	f := s.Cases[1].Failure
	if f.Type != "yaml-type" || f.Message != `first <bad> & "quoted"` {
		t.Errorf("failure = %+v", f)
	}
	wantText := "accounts/b.yaml:2:1: error: first <bad> & \"quoted\" [yaml-type]\n  hint: fix it\n" +
		"accounts/b.yaml:5:1: error: second [yaml-type]\n"
	if f.Text != wantText {
		t.Errorf("failure text:\n%q\nwant:\n%q", f.Text, wantText)
	}
}

func TestWriteUnknownFormat(t *testing.T) {
	err := Write(&bytes.Buffer{}, "sarif", Report{})
	if err == nil || !strings.Contains(err.Error(), `unknown format "sarif"`) {
		t.Errorf("Write(sarif) = %v", err)
	}
}

func TestDiagnosticString(t *testing.T) {
	d := Warningf(at("environments/prod/network.yaml", 12, 7), "cidr-overlap", "%s overlaps %s", "10.0.0.0/16", "10.0.0.0/8")
	want := "environments/prod/network.yaml:12:7: warning: 10.0.0.0/16 overlaps 10.0.0.0/8 [cidr-overlap]"
	if d.String() != want {
		t.Errorf("String() = %q, want %q", d.String(), want)
	}
}

func TestListSortsAndDeduplicates(t *testing.T) {
	var l List
	l.Add(
		Errorf(at("b.yaml", 1, 1), "r", "m"),
		Errorf(at("a.yaml", 2, 1), "r", "m"),
		Errorf(at("a.yaml", 1, 5), "r2", "m"),
		Errorf(at("a.yaml", 1, 5), "r1", "m"),
		Errorf(at("a.yaml", 2, 1), "r", "m"),
	)
	var got []string
	for _, d := range l.Items() {
		got = append(got, d.String())
	}
	want := []string{
		"a.yaml:1:5: error: m [r1]",
		"a.yaml:1:5: error: m [r2]",
		"a.yaml:2:1: error: m [r]",
		"b.yaml:1:1: error: m [r]",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Items:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !l.HasErrors() || !l.HasErrorsIn("b.yaml") || l.HasErrorsIn("c.yaml") || !l.HasRule("r2") || l.HasRule("r3") {
		t.Error("HasErrors, HasErrorsIn or HasRule disagree with the list")
	}
	var warnings List
	warnings.Add(Warningf(at("a.yaml", 1, 1), "w", "m"))
	if warnings.HasErrors() || warnings.HasErrorsIn("a.yaml") {
		t.Error("a warning counted as an error")
	}
}

func TestDidYouMean(t *testing.T) {
	keys := []string{"account", "azCount", "azs", "cidr", "egress", "name", "region", "regions", "subnets"}
	for _, tc := range []struct {
		name       string
		candidates []string
		want       string
	}{
		{"regoins", keys, `did you mean "regions"?`},
		{"regin", keys, `did you mean "region"?`},
		{"Name", keys, `did you mean "name"?`},
		{"subnet", keys, `did you mean "subnets"?`},
		{"acount", keys, `did you mean "account"?`},
		{"egres", keys, `did you mean "egress"?`},
		// Short names allow two edits.
		{"az", keys, `did you mean "azs"?`},
		{"cid", keys, `did you mean "cidr"?`},
		// An exact match is its own suggestion.
		{"cidr", keys, `did you mean "cidr"?`},
		// Too far from everything.
		{"owner", keys, ""},
		{"flowLogs", keys, ""},
		{"x", nil, ""},
		{"", nil, ""},
		// Long names allow a third of their length.
		{"TransitGatewy", []string{"TransitGateway", "GitLab"}, `did you mean "TransitGateway"?`},
		{"TrnsitGatwy", []string{"TransitGateway"}, `did you mean "TransitGateway"?`},
		{"TrnstGtwy", []string{"TransitGateway"}, ""},
		// Ties go to the first in sort order, whatever the candidates' order.
		{"ab", []string{"ac", "aa"}, `did you mean "aa"?`},
		{"ab", []string{"aa", "ac"}, `did you mean "aa"?`},
	} {
		if got := DidYouMean(tc.name, tc.candidates); got != tc.want {
			t.Errorf("DidYouMean(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// A finding's related positions reach every format as data: a text line,
// JSON fields, Code Quality's other_locations and the JUnit failure text.
func TestRelatedInEveryFormat(t *testing.T) {
	root := writeRoot(t, map[string]string{"accounts/a.yaml": "name: dev\n", "accounts/b.yaml": "name: dev\n"})
	d := Errorf(at("accounts/b.yaml", 1, 7), "name-unique", "account %q is declared twice", "dev").
		WithRelated(at("accounts/a.yaml", 1, 7), "first declared here").WithHint("names must be unique")
	r := Report{Root: root, Files: []string{"accounts/a.yaml", "accounts/b.yaml"}, Items: []Diagnostic{d}}

	if text := write(t, "text", r); !strings.Contains(text, "      |       ^\n      = see: accounts/a.yaml:1:7: first declared here\n      = hint: names must be unique\n") {
		t.Errorf("text:\n%s", text)
	}
	var js struct {
		Findings []struct {
			Related []struct {
				File         string
				Line, Column int
				Message      string
			}
		}
	}
	if err := json.Unmarshal([]byte(write(t, "json", r)), &js); err != nil {
		t.Fatal(err)
	}
	if rel := js.Findings[0].Related; len(rel) != 1 || rel[0].File != "accounts/a.yaml" || rel[0].Line != 1 || rel[0].Column != 7 || rel[0].Message != "first declared here" {
		t.Errorf("json related: %+v", rel)
	}
	var cq []struct {
		OtherLocations []struct {
			Path  string
			Lines struct{ Begin int }
		} `json:"other_locations"`
	}
	if err := json.Unmarshal([]byte(write(t, "codequality", r)), &cq); err != nil {
		t.Fatal(err)
	}
	if ol := cq[0].OtherLocations; len(ol) != 1 || ol[0].Path != "accounts/a.yaml" || ol[0].Lines.Begin != 1 {
		t.Errorf("codequality other_locations: %+v", ol)
	}
	var junit junitSuites
	if err := xml.Unmarshal([]byte(write(t, "junit", r)), &junit); err != nil {
		t.Fatal(err)
	}
	if c := junit.Suites[0].Cases[1]; c.Failure == nil || !strings.Contains(c.Failure.Text, "[name-unique]\n  see: accounts/a.yaml:1:7: first declared here\n  hint: names must be unique") {
		t.Errorf("junit case: %+v", c)
	}
	// Without related positions the formats are as before: no empty fields.
	plain := Report{Root: root, Files: r.Files, Items: []Diagnostic{Errorf(at("accounts/b.yaml", 1, 7), "x", "y")}}
	if out := write(t, "json", plain) + write(t, "codequality", plain); strings.Contains(out, "related") || strings.Contains(out, "other_locations") {
		t.Errorf("empty related fields:\n%s", out)
	}
	// Two findings differing only in their related positions both stay.
	var l List
	l.Add(d, d, Errorf(d.Pos, d.Rule, "%s", d.Message).WithRelated(at("accounts/c.yaml", 1, 7), "first declared here").WithHint("%s", d.Hint))
	if n := len(l.Items()); n != 2 {
		t.Errorf("%d findings after dropping repeats, want 2", n)
	}
}
