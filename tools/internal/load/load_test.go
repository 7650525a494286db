package load

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
)

// account is a valid Account document; rows of the finding table change
// one line of it.
const account = `kind: Account
name: tooling
id: "111111111111"
email: tooling@example.com
role: tooling
regions: [eu-west-1]
`

// network is a valid Network document.
const network = `kind: Network
account: tooling
region: eu-west-1
vpcs:
  - name: build
    cidr: 10.0.0.0/16
    azCount: 2
    subnets:
      - {name: private, type: private, prefix: 24}
      - name: public
        type: public
        prefix: 24
    egress:
      type: natGateway
`

// component is a valid AWSTOE component document.
const component = `name: hello
schemaVersion: "1.0"
phases:
  - name: build
    steps:
      - name: Say
        action: ExecuteBash
        inputs:
          commands: [echo hello]
`

// finding is what a test expects of one diagnostic: where ("line:col"),
// its rule, and substrings of its message and hint.
type finding struct {
	at, rule, msg, hint string
}

func loadString(file, src string) ([]Document, []diag.Diagnostic) {
	var l diag.List
	docs := LoadBytes(file, []byte(src), &l)
	return docs, l.Items()
}

// checkFindings compares got with want, finding by finding, in order.
func checkFindings(t *testing.T, got []diag.Diagnostic, want []finding) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d:\n%s", len(got), len(want), render(got))
	}
	for i, w := range want {
		g := got[i]
		if at := fmt.Sprintf("%d:%d", g.Pos.Line, g.Pos.Col); at != w.at || g.Rule != w.rule {
			t.Errorf("finding %d is %s at %s, want %s at %s: %s", i, g.Rule, at, w.rule, w.at, g)
		}
		if g.Severity != diag.Error {
			t.Errorf("finding %d is a %s, want an error", i, g.Severity)
		}
		if !strings.Contains(g.Message, w.msg) {
			t.Errorf("finding %d message %q does not contain %q", i, g.Message, w.msg)
		}
		if g.Hint == "" || !strings.Contains(g.Hint, w.hint) {
			t.Errorf("finding %d hint %q does not contain %q", i, g.Hint, w.hint)
		}
	}
}

func render(ds []diag.Diagnostic) string {
	var b strings.Builder
	for _, d := range ds {
		fmt.Fprintf(&b, "  %s (hint: %s)\n", d, d.Hint)
	}
	return b.String()
}

// withLine replaces line n (1-based) of src; an empty repl deletes it.
func withLine(src string, n int, repl string) string {
	lines := strings.Split(src, "\n")
	if repl == "" {
		lines = slices.Delete(lines, n-1, n)
	} else {
		lines[n-1] = repl
	}
	return strings.Join(lines, "\n")
}

func TestLoadBytesFindings(t *testing.T) {
	cases := []struct {
		name string
		file string
		src  string
		want []finding
	}{
		{
			name: "valid account",
			file: "accounts/tooling.yaml", src: account,
		},
		{
			name: "unknown key with did-you-mean",
			file: "accounts/tooling.yaml", src: account + "regoins: [eu-west-2]\n",
			want: []finding{{"7:1", "yaml-unknown-key", `unknown key "regoins"`, `did you mean "regions"?`}},
		},
		{
			name: "unknown key lists the known keys",
			file: "accounts/tooling.yaml", src: account + "owner: platform\n",
			want: []finding{{"7:1", "yaml-unknown-key", `unknown key "owner"`,
				"known keys here: allowReplace, deployRoleName, email, id, kind, name, production, quotas, regions, role, tags"}},
		},
		{
			name: "unknown key in a nested mapping",
			file: "environments/tooling/network.yaml", src: withLine(network, 14, "      typ: natGateway"),
			// No second finding for the missing type: the first names it.
			want: []finding{{"14:7", "yaml-unknown-key", `unknown key "typ"`, `did you mean "type"?`}},
		},
		{
			name: "case matters in keys",
			file: "accounts/tooling.yaml", src: account + "Kind: Account\n",
			want: []finding{{"7:1", "yaml-unknown-key", `unknown key "Kind"`, `did you mean "kind"?`}},
		},
		{
			name: "unquoted 12-digit account id",
			file: "accounts/tooling.yaml", src: withLine(account, 3, "id: 111111111111"),
			want: []finding{{"3:5", "yaml-type", "expected a string, got integer 111111111111", `quote it: "111111111111"`}},
		},
		{
			name: "unquoted account id that reads as octal keeps its digits in the hint",
			file: "accounts/tooling.yaml", src: withLine(account, 3, "id: 011111111111"),
			want: []finding{{"3:5", "yaml-type", "expected a string, got integer 011111111111", `quote it: "011111111111"`}},
		},
		{
			name: "unquoted account id that is no number keeps its leading zero",
			file: "accounts/tooling.yaml", src: withLine(account, 3, "id: 098765432109"),
		},
		{
			name: "string expected, list given",
			file: "accounts/tooling.yaml", src: withLine(account, 2, "name: [tooling]"),
			want: []finding{{"2:7", "yaml-type", "expected a string, got a list", "write a single value here"}},
		},
		{
			name: "string expected, block mapping given: points at its first key",
			file: "accounts/tooling.yaml", src: withLine(account, 4, "email:\n  address: tooling@example.com"),
			want: []finding{{"5:3", "yaml-type", "expected a string, got a mapping", "write a single value here"}},
		},
		{
			name: "string expected, boolean given",
			file: "accounts/tooling.yaml", src: withLine(account, 5, "role: true"),
			want: []finding{{"5:7", "yaml-type", "expected a string, got boolean true", `quote it: "true"`}},
		},
		{
			name: "integer expected, string given",
			file: "environments/tooling/network.yaml", src: withLine(network, 7, "    azCount: two"),
			want: []finding{{"7:14", "yaml-type", `expected an integer, got string "two"`, "whole number"}},
		},
		{
			name: "integer expected, number given",
			file: "environments/tooling/network.yaml", src: withLine(network, 9, "      - {name: private, type: private, prefix: 24.5}"),
			want: []finding{{"9:48", "yaml-type", "expected an integer, got number 24.5", "whole number"}},
		},
		{
			name: "boolean expected, yes given",
			file: "accounts/tooling.yaml", src: account + "production: yes\n",
			want: []finding{{"7:13", "yaml-type", `expected true or false, got string "yes"`, "write true or false"}},
		},
		{
			name: "boolean expected, quoted true given",
			file: "accounts/tooling.yaml", src: account + "production: \"true\"\n",
			want: []finding{{"7:13", "yaml-type", `expected true or false, got string "true"`, "without quotes"}},
		},
		{
			name: "list expected, string given",
			file: "accounts/tooling.yaml", src: withLine(account, 6, "regions: eu-west-1"),
			want: []finding{{"6:10", "yaml-type", `expected a list, got string "eu-west-1"`, "[eu-west-1]"}},
		},
		{
			name: "mapping expected, list given",
			file: "accounts/tooling.yaml", src: account + "tags: [team]\n",
			want: []finding{{"7:7", "yaml-type", "expected a mapping, got a list", "key: value"}},
		},
		{
			name: "mapping values keep their type",
			file: "accounts/tooling.yaml", src: account + "tags: {cost-centre: 42}\n",
			want: []finding{{"7:21", "yaml-type", "expected a string, got integer 42", `quote it: "42"`}},
		},
		{
			name: "duplicate key",
			file: "accounts/tooling.yaml", src: withLine(account, 2, "name: tooling\nname: shared"),
			want: []finding{{"3:1", "yaml-duplicate-key", `"name" already defined`, "a key may appear once"}},
		},
		{
			name: "duplicate key in a nested mapping",
			file: "accounts/tooling.yaml", src: account + "tags:\n  team: a\n  team: b\n",
			want: []finding{{"9:3", "yaml-duplicate-key", `"team" already defined`, "a key may appear once"}},
		},
		{
			name: "alias to a missing anchor",
			file: "accounts/tooling.yaml", src: withLine(account, 2, "name: *tooling"),
			want: []finding{{"2:7", "yaml-alias", "alias *tooling refers to no anchor", "define &tooling"}},
		},
		{
			name: "anchors do not reach into the next document",
			file: "accounts/tooling.yaml", src: withLine(account, 6, "regions: &r [eu-west-1]") + "---\n" +
				strings.ReplaceAll(withLine(account, 6, "regions: *r"), "tooling", "shared"),
			want: []finding{{"13:10", "yaml-alias", "alias *r refers to no anchor", "define &r"}},
		},
		{
			name: "an alias to an anchor under an unknown key is not a second finding",
			file: "accounts/tooling.yaml", src: account + "defaults: {role: &role DevOps}\ndeployRoleName: *role\n",
			want: []finding{{"7:1", "yaml-unknown-key", `unknown key "defaults"`, "known keys here"}},
		},
		{
			name: "an alias to an anchor inside a value of the wrong type is not a second finding",
			file: "accounts/tooling.yaml", src: account + "deployRoleName: [&role DevOps]\ntags: {role: *role}\n",
			want: []finding{{"7:17", "yaml-type", "expected a string, got a list", "single value"}},
		},
		{
			name: "merge key with a scalar",
			file: "accounts/tooling.yaml", src: account + "tags:\n  <<: 5\n",
			want: []finding{{"8:7", "yaml-merge", "a merge key takes a mapping or a list of mappings, got integer 5", "<<: *anchor"}},
		},
		{
			name: "merge key that merges its own mapping",
			file: "accounts/tooling.yaml", src: account + "tags: &t {<<: *t}\n",
			want: []finding{{"7:15", "yaml-size", "nest deeper than 64 levels", "write the values out"}},
		},
		{
			name: "alias inside its own anchor",
			file: "imagerecipes/components/hello.yaml", src: withLine(component, 9, "          commands: &c [*c]"),
			want: []finding{{"9:25", "yaml-size", "nest deeper than 64 levels", "write the values out"}},
		},
		{
			name: "anchor holding an alias to itself",
			file: "accounts/tooling.yaml", src: account + "deployRoleName: &r *r\n",
			want: []finding{{"7:20", "yaml-syntax", "unexpected", "fix the YAML syntax here"}},
		},
		{
			name: "missing required key",
			file: "accounts/tooling.yaml", src: withLine(account, 4, ""),
			want: []finding{{"1:1", "yaml-required", `missing required key "email"`, "add email: to this mapping"}},
		},
		{
			name: "missing required keys in a list item point at the item",
			file: "environments/tooling/network.yaml", src: withLine(network, 9, "      - {name: private, prefix: 24}"),
			want: []finding{{"9:10", "yaml-required", `missing required key "type"`, "add type:"}},
		},
		{
			name: "an unknown key that is no typo of the missing one does not hide it",
			file: "accounts/tooling.yaml", src: withLine(account, 2, "owner: platform"),
			want: []finding{
				{"1:1", "yaml-required", `missing required key "name"`, "add name:"},
				{"2:1", "yaml-unknown-key", `unknown key "owner"`, "known keys here"},
			},
		},
		{
			name: "required key without a value",
			file: "accounts/tooling.yaml", src: withLine(account, 4, "email:"),
			want: []finding{{"4:1", "yaml-required", `required key "email" has no value`, "after email:"}},
		},
		{
			name: "missing kind",
			file: "accounts/tooling.yaml", src: withLine(account, 1, ""),
			want: []finding{{"1:1", "yaml-kind", "document has no kind", "start it with kind: and one of Account, Network"}},
		},
		{
			name: "a list is not a document",
			file: "accounts/tooling.yaml", src: "- kind: Account\n",
			want: []finding{{"1:1", "yaml-kind", "a document must be a mapping starting with kind:, got a list", `remove the leading "- "`}},
		},
		{
			name: "unknown kind with did-you-mean",
			file: "accounts/tooling.yaml", src: withLine(account, 1, "kind: Acount"),
			want: []finding{{"1:7", "yaml-kind", `unknown kind "Acount"`, `did you mean "Account"?`}},
		},
		{
			name: "unknown kind lists the kinds",
			file: "accounts/tooling.yaml", src: withLine(account, 1, "kind: Database"),
			want: []finding{{"1:7", "yaml-kind", `unknown kind "Database"`, "kinds: Account, Network, TransitGateway, GitLab, Mirror, Pipeline, ImageRecipe"}},
		},
		{
			name: "kind that is not a name",
			file: "accounts/tooling.yaml", src: withLine(account, 1, "kind: [Account]"),
			want: []finding{{"1:7", "yaml-kind", "kind must be a name, got a list", "write kind: and one of"}},
		},
		{
			name: "kind behind an anchor",
			file: "accounts/tooling.yaml", src: withLine(account, 1, "kind: &k Account"),
		},
		{
			name: "Network under accounts/",
			file: "accounts/network.yaml", src: network,
			want: []finding{{"1:7", "yaml-kind", "a Network document belongs under environments/", "move the file under environments/"}},
		},
		{
			name: "Account under environments/",
			file: "environments/tooling/account.yaml", src: account,
			want: []finding{{"1:7", "yaml-kind", "an Account document belongs under accounts/", "move the file under accounts/"}},
		},
		{
			name: "ImageRecipe under environments/",
			file: "environments/recipe.yaml", src: "kind: ImageRecipe\n",
			want: []finding{{"1:7", "yaml-kind", "an ImageRecipe document belongs under imagerecipes/", "move the file under imagerecipes/"}},
		},
		{
			name: "a component has no kind",
			file: "imagerecipes/components/hello.yaml", src: "kind: Account\n" + component,
			want: []finding{{"1:1", "yaml-unknown-key", `unknown key "kind"`, "known keys here"}},
		},
		{
			name: "empty file",
			file: "accounts/tooling.yaml", src: "",
			want: []finding{{"1:1", "yaml-empty", "file holds no document", "give it a kind:"}},
		},
		{
			name: "file with comments only",
			file: "accounts/tooling.yaml", src: "# nothing yet\n",
			want: []finding{{"1:1", "yaml-empty", "file holds no document", "give it a kind:"}},
		},
		{
			name: "file with empty documents only",
			file: "accounts/tooling.yaml", src: "---\n---\n",
			want: []finding{{"1:1", "yaml-empty", "file holds no document", "give it a kind:"}},
		},
		{
			name: "tab indentation",
			file: "environments/tooling/network.yaml", src: withLine(network, 6, "\tcidr: 10.0.0.0/16"),
			want: []finding{{"6:1", "yaml-syntax", "a tab character where YAML expects spaces", "indent with spaces, not tabs"}},
		},
		{
			name: "unclosed bracket",
			file: "accounts/tooling.yaml", src: withLine(account, 6, "regions: [eu-west-1"),
			want: []finding{{"6:10", "yaml-syntax", "']' not found", "close the bracket or quote"}},
		},
		{
			name: "unclosed brace in a nested mapping",
			file: "accounts/tooling.yaml", src: account + "tags:\n  team: {a: b\n",
			want: []finding{{"8:9", "yaml-syntax", "'}'", "close the bracket or quote"}},
		},
		{
			name: "unclosed quote",
			file: "accounts/tooling.yaml", src: withLine(account, 2, "name: 'tooling"),
			want: []finding{{"2:7", "yaml-syntax", "single-quoted", "close the bracket or quote"}},
		},
		{
			name: "multi-document file: both documents load",
			file: "accounts/both.yaml", src: account + "---\n" + strings.ReplaceAll(account, "tooling", "shared"),
		},
		{
			name: "multi-document file: findings point into the right document",
			file: "accounts/both.yaml", src: account + "---\n" + withLine(account, 2, "nmae: shared"),
			want: []finding{{"9:1", "yaml-unknown-key", `unknown key "nmae"`, `did you mean "name"?`}},
		},
		{
			name: "multi-document file: an empty document between is fine",
			file: "accounts/both.yaml", src: account + "---\n---\n" + strings.ReplaceAll(account, "tooling", "shared"),
		},
		{
			name: "multi-document file: a bad kind drops only its document",
			file: "accounts/both.yaml", src: account + "---\nkind: Acount\n",
			want: []finding{{"8:7", "yaml-kind", `unknown kind "Acount"`, `did you mean "Account"?`}},
		},
		{
			name: "a key indented too far, under the item before it: one finding, not unknown + missing",
			file: "environments/tooling/network.yaml", src: withLine(withLine(network, 13, "        egress:"), 14, "          type: natGateway"),
			want: []finding{{"13:9", "yaml-indent", `"egress" is indented under vpcs[0].subnets[1]; it belongs to vpcs[0], whose keys are at column 5`, "move egress: left to column 5"}},
		},
		{
			name: "a key indented too little, at the document's level",
			file: "environments/tooling/network.yaml", src: withLine(withLine(network, 13, "egress:"), 14, "  type: natGateway"),
			want: []finding{{"13:1", "yaml-indent", `"egress" at column 1 is outside vpcs[0], the mapping it belongs to, whose keys are at column 5`, "indent egress: to column 5"}},
		},
		{
			name: "a key indented between two levels",
			file: "environments/tooling/network.yaml", src: withLine(withLine(network, 13, "   egress:"), 14, "     type: natGateway"),
			want: []finding{{"13:4", "yaml-syntax", `"egress" at column 4 lines up with no mapping above it`, "move egress: to column 5, beside subnets, or to column 1, beside vpcs"}},
		},
		{
			name: "a key in a list item indented one column too little",
			file: "environments/tooling/network.yaml", src: withLine(network, 12, "       prefix: 24"),
			want: []finding{{"12:8", "yaml-syntax", `"prefix" at column 8 lines up with no mapping above it`, "move prefix: to column 9, beside type"}},
		},
		{
			name: "valid component",
			file: "imagerecipes/components/hello.yaml", src: component,
		},
		{
			name: "gitlab.rb values take any scalar but not a list",
			file: "environments/tooling/gitlab.yaml",
			src:  "kind: GitLab\ngitlabRb:\n  a: 1\n  b: text\n  c: true\n  d: 1.5\n  e: [x]\n",
			want: []finding{
				{"1:1", "yaml-required", `missing required key "account"`, "add account:"},
				{"1:1", "yaml-required", `missing required key "alb"`, "add alb:"},
				{"1:1", "yaml-required", `missing required key "cpu"`, "add cpu:"},
				{"1:1", "yaml-required", `missing required key "database"`, "add database:"},
				{"1:1", "yaml-required", `missing required key "image"`, "add image:"},
				{"1:1", "yaml-required", `missing required key "memory"`, "add memory:"},
				{"1:1", "yaml-required", `missing required key "name"`, "add name:"},
				{"1:1", "yaml-required", `missing required key "network"`, "add network:"},
				{"1:1", "yaml-required", `missing required key "region"`, "add region:"},
				{"1:1", "yaml-required", `missing required key "rootEmail"`, "add rootEmail:"},
				{"1:1", "yaml-required", `missing required key "smtp"`, "add smtp:"},
				{"7:6", "yaml-type", "expected a string, number or boolean, got a list", "single value"},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, got := loadString(tc.file, tc.src)
			checkFindings(t, got, tc.want)
		})
	}
}

func TestLoadBytesDocuments(t *testing.T) {
	docs, diags := loadString("accounts/both.yaml", account+"---\n"+strings.ReplaceAll(account, "tooling", "shared"))
	if len(diags) > 0 {
		t.Fatalf("unexpected findings:\n%s", render(diags))
	}
	if len(docs) != 2 {
		t.Fatalf("got %d documents, want 2", len(docs))
	}
	first, second := docs[0].(*estate.Account), docs[1].(*estate.Account)
	if first.Name != "tooling" || second.Name != "shared" {
		t.Errorf("names %q, %q; want tooling, shared", first.Name, second.Name)
	}
	if first.ID != "111111111111" || !slices.Equal(first.Regions, []string{"eu-west-1"}) {
		t.Errorf("first account decoded as %+v", first)
	}
	if p := second.Pos("name"); p.Line != 9 || p.Col != 7 || p.File != "accounts/both.yaml" {
		t.Errorf("second document's name at %+v, want accounts/both.yaml:9:7", p)
	}

	// A document with a finding is still returned, so later checks can run.
	docs, diags = loadString("accounts/tooling.yaml", account+"regoins: []\n")
	if len(diags) != 1 || len(docs) != 1 || docs[0].(*estate.Account).Name != "tooling" {
		t.Errorf("got %d documents and findings:\n%s", len(docs), render(diags))
	}
	// A misspelt key is decoded as the key it stands for, and a key at the
	// wrong level where it belongs, so nothing that refers to them cascades.
	docs, _ = loadString("accounts/tooling.yaml", withLine(account, 2, "nmae: tooling"))
	if len(docs) != 1 || docs[0].(*estate.Account).Name != "tooling" {
		t.Errorf("misspelt name: got %+v", docs)
	}
	docs, _ = loadString("environments/tooling/network.yaml", withLine(withLine(network, 13, "        egress:"), 14, "          type: none"))
	if n := docs[0].(*estate.Network); n.VPCs[0].Egress.Type != "none" || n.Pos("vpcs[0].egress.type") != (estate.Pos{File: "environments/tooling/network.yaml", Line: 14, Col: 17}) {
		t.Errorf("over-indented egress: got %+v at %v", n.VPCs[0].Egress, n.Pos("vpcs[0].egress.type"))
	}
	// One that cannot be typed is not.
	docs, _ = loadString("accounts/tooling.yaml", withLine(account, 1, "kind: Acount"))
	if len(docs) != 0 {
		t.Errorf("got %d documents for an unknown kind, want 0", len(docs))
	}
}

func TestAnchorsAliasesAndMergeKeys(t *testing.T) {
	const src = `kind: Network
account: tooling
region: eu-west-1
vpcs:
  - &base
    name: build
    cidr: 10.0.0.0/16
    azCount: 2
    subnets: &tiers
      - {name: private, type: private, prefix: 24}
    egress: &egress {type: natGateway, perAZ: true}
  - <<: *base
    name: app
    cidr: 10.1.0.0/16
    egress: {type: none}
  - <<: [{name: first, azCount: 3}, *base]
    cidr: 10.2.0.0/16
    subnets: *tiers
    egress:
      <<: *egress
      perAZ: false
`
	docs, diags := loadString("environments/tooling/network.yaml", src)
	if len(diags) > 0 {
		t.Fatalf("unexpected findings:\n%s", render(diags))
	}
	n := docs[0].(*estate.Network)
	if len(n.VPCs) != 3 {
		t.Fatalf("got %d VPCs, want 3", len(n.VPCs))
	}
	build, app, third := n.VPCs[0], n.VPCs[1], n.VPCs[2]

	// The anchored VPC itself.
	if build.Name != "build" || build.AZCount != 2 || build.Egress.Type != "natGateway" || !build.Egress.PerAZ {
		t.Errorf("build = %+v", build)
	}
	// Merged keys fill in, explicit keys override.
	if app.Name != "app" || app.CIDR != "10.1.0.0/16" || app.AZCount != 2 {
		t.Errorf("app = %+v, want name app, cidr 10.1.0.0/16 and azCount 2 from the anchor", app)
	}
	if app.Egress.Type != "none" || app.Egress.PerAZ {
		t.Errorf("app egress = %+v, want the explicit {type: none} whole, not merged with the anchor's", app.Egress)
	}
	if len(app.Subnets) != 1 || app.Subnets[0].Name != "private" {
		t.Errorf("app subnets = %+v, want the anchor's", app.Subnets)
	}
	// In a list of merged mappings the earlier one wins.
	if third.Name != "first" || third.AZCount != 3 || third.CIDR != "10.2.0.0/16" {
		t.Errorf("third = %+v, want name first and azCount 3 from the first merged mapping", third)
	}
	// A merge key inside a nested mapping, with an override.
	if third.Egress.Type != "natGateway" || third.Egress.PerAZ {
		t.Errorf("third egress = %+v, want natGateway from the anchor with perAZ overridden to false", third.Egress)
	}

	// Explicit keys are where they are written; keys merged in through an
	// alias are at the merge key, and values under an alias at the alias:
	// a finding about a copy points at the copy, not at the original.
	for path, want := range map[string]string{
		"vpcs[0]":                   "6:5",
		"vpcs[0].subnets[0].name":   "10:16",
		"vpcs[1]":                   "12:5",
		"vpcs[1].name":              "13:11",
		"vpcs[1].azCount":           "12:5",
		"vpcs[1].subnets":           "12:5",
		"vpcs[1].subnets[0].name":   "12:5",
		"vpcs[1].egress.type":       "15:20",
		"vpcs[2].name":              "16:17",
		"vpcs[2].azCount":           "16:33",
		"vpcs[2].egress.type":       "20:7",
		"vpcs[2].egress.perAZ":      "21:14",
		"vpcs[2].subnets":           "18:5",
		"vpcs[2].subnets[0].prefix": "18:14",
	} {
		if got := at(n.Pos(path)); got != want {
			t.Errorf("Pos(%q) = %s, want %s", path, got, want)
		}
	}
}

func TestAliasPositions(t *testing.T) {
	docs, diags := loadString("accounts/tooling.yaml", withLine(account, 2, "name: &name tooling")+"deployRoleName: *name\n")
	if len(diags) > 0 {
		t.Fatalf("unexpected findings:\n%s", render(diags))
	}
	a := docs[0].(*estate.Account)
	if a.DeployRoleName != "tooling" {
		t.Errorf("deployRoleName = %q, want tooling through the alias", a.DeployRoleName)
	}
	// The anchored value is where it is written, past its anchor; an alias
	// is where it is used.
	for path, want := range map[string]string{"name": "2:13", "deployRoleName": "7:17"} {
		if got := at(a.Pos(path)); got != want {
			t.Errorf("Pos(%q) = %s, want %s", path, got, want)
		}
	}
}

func at(p estate.Pos) string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

func TestDocPositions(t *testing.T) {
	src := network + `    endpoints:
      interface: [ecr.api, ecr.dkr]
      gateway:
        - s3
`
	docs, diags := loadString("environments/tooling/network.yaml", src)
	if len(diags) > 0 {
		t.Fatalf("unexpected findings:\n%s", render(diags))
	}
	n := docs[0].(*estate.Network)
	for path, want := range map[string]string{
		// The document starts at its first key.
		"":       "1:1",
		"kind":   "1:7",
		"region": "3:9",
		// Blocks point at their key, scalars at their value.
		"vpcs":                           "4:1",
		"vpcs[0]":                        "5:5",
		"vpcs[0].name":                   "5:11",
		"vpcs[0].azCount":                "7:14",
		"vpcs[0].subnets":                "8:5",
		"vpcs[0].subnets[0]":             "9:9",
		"vpcs[0].subnets[0].prefix":      "9:48",
		"vpcs[0].subnets[1]":             "10:9",
		"vpcs[0].subnets[1].type":        "11:15",
		"vpcs[0].egress":                 "13:5",
		"vpcs[0].egress.type":            "14:13",
		"vpcs[0].endpoints":              "15:5",
		"vpcs[0].endpoints.interface[1]": "16:28",
		"vpcs[0].endpoints.gateway":      "17:7",
		"vpcs[0].endpoints.gateway[0]":   "18:11",
		// Absent values fall back to the nearest present parent.
		"vpcs[0].flowLogs":            "5:5",
		"vpcs[0].egress.perAZ":        "13:5",
		"vpcs[0].subnets[1].cidrs[0]": "10:9",
		"vpcs[3].name":                "4:1",
	} {
		if got := at(n.Pos(path)); got != want {
			t.Errorf("Pos(%q) = %s, want %s", path, got, want)
		}
		if n.Pos(path).File != "environments/tooling/network.yaml" {
			t.Errorf("Pos(%q) is in %q", path, n.Pos(path).File)
		}
	}
	for path, want := range map[string]bool{"vpcs[0].cidr": true, "vpcs[0].azs": false, "vpcs[0].egress.perAZ": false} {
		if n.Has(path) != want {
			t.Errorf("Has(%q) = %v, want %v", path, !want, want)
		}
	}
}

func TestDocPositionsOfMapsAndComponents(t *testing.T) {
	docs, diags := loadString("accounts/tooling.yaml", account+"tags:\n  team: platform\n  cost-centre: \"42\"\n")
	if len(diags) > 0 {
		t.Fatalf("unexpected findings:\n%s", render(diags))
	}
	a := docs[0].(*estate.Account)
	// Map entries point at their key, which is what a finding about one names.
	for path, want := range map[string]string{"tags": "7:1", "tags.team": "8:3", "tags.cost-centre": "9:3"} {
		if got := at(a.Pos(path)); got != want {
			t.Errorf("Pos(%q) = %s, want %s", path, got, want)
		}
	}
	if a.Tags["cost-centre"] != "42" || a.Tags["team"] != "platform" {
		t.Errorf("tags = %v", a.Tags)
	}

	docs, diags = loadString("imagerecipes/components/hello.yaml", component)
	if len(diags) > 0 {
		t.Fatalf("unexpected findings:\n%s", render(diags))
	}
	c := docs[0].(*estate.Component)
	for path, want := range map[string]string{
		"phases[0].steps[0].action":             "7:17",
		"phases[0].steps[0].inputs":             "8:9",
		"phases[0].steps[0].inputs.commands":    "9:11",
		"phases[0].steps[0].inputs.commands[0]": "9:22",
	} {
		if got := at(c.Pos(path)); got != want {
			t.Errorf("Pos(%q) = %s, want %s", path, got, want)
		}
	}
	inputs, ok := c.Phases[0].Steps[0].Inputs.(map[string]any)
	if !ok || !slices.Equal(inputs["commands"].([]any), []any{"echo hello"}) {
		t.Errorf("inputs = %#v", c.Phases[0].Steps[0].Inputs)
	}
}

// writeTree writes files (slash-separated paths relative to root) into root.
func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadEstate(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"accounts/tooling.yaml":              account,
		"accounts/prod.yml":                  strings.ReplaceAll(account, "tooling", "prod") + "regoins: []\n",
		"accounts/README.md":                 "not YAML, not read\n",
		"environments/tooling/network.yaml":  withLine(network, 7, "    azCount: two"),
		"environments/broken.yaml":           "kind: Mirror\nname: [\n",
		"imagerecipes/components/hello.yaml": component,
		"generated/ignored.yaml":             "not: read\n",
		"accounts/.hidden.yaml":              "not: read\n",
		"environments/.cache/x.yaml":         "not: read\n",
	})
	e, diags, err := LoadEstate(root)
	if err != nil {
		t.Fatal(err)
	}
	wantFiles := []string{
		"accounts/prod.yml",
		"accounts/tooling.yaml",
		"environments/broken.yaml",
		"environments/tooling/network.yaml",
		"imagerecipes/components/hello.yaml",
	}
	if !slices.Equal(e.Files, wantFiles) {
		t.Errorf("Files = %v, want %v", e.Files, wantFiles)
	}
	// Every file's findings are reported in the one run.
	var got []string
	for _, d := range diags.Items() {
		got = append(got, fmt.Sprintf("%s:%d:%d %s", d.Pos.File, d.Pos.Line, d.Pos.Col, d.Rule))
	}
	want := []string{
		"accounts/prod.yml:7:1 yaml-unknown-key",
		"environments/broken.yaml:2:7 yaml-syntax",
		"environments/tooling/network.yaml:7:14 yaml-type",
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings:\n%s\nwant %v", render(diags.Items()), want)
	}
	if len(e.Accounts) != 2 || e.Accounts[0].Name != "prod" || e.Accounts[1].Name != "tooling" {
		t.Errorf("accounts not in file order: %+v", e.Accounts)
	}
	if len(e.Networks) != 1 || e.Networks[0].VPCs[0].Name != "build" {
		t.Errorf("networks = %+v", e.Networks)
	}
	if c := e.Components["components/hello.yaml"]; c == nil || c.Name != "hello" {
		t.Errorf("components = %v", e.Components)
	}
}

func TestLoadEstateMissingDirectories(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{"accounts/tooling.yaml": account})
	e, diags, err := LoadEstate(root)
	if err != nil {
		t.Fatal(err)
	}
	if diags.Len() != 0 || len(e.Accounts) != 1 || len(e.Files) != 1 {
		t.Errorf("got %d findings, %d accounts, files %v", diags.Len(), len(e.Accounts), e.Files)
	}
}

func TestLoadEstateUnreadableDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads directories whatever their mode")
	}
	root := t.TempDir()
	writeTree(t, root, map[string]string{"accounts/tooling.yaml": account, "environments/prod/network.yaml": network})
	dir := filepath.Join(root, "environments", "prod")
	if err := os.Chmod(dir, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	_, _, err := LoadEstate(root)
	if err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Fatalf("LoadEstate = %v, want a permission error", err)
	}
}

func TestLoadEstateSkipsEditorLockFiles(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{"accounts/tooling.yaml": account})
	// Emacs marks a file being edited with a dangling link named .#<file>.
	if err := os.Symlink("root@host.1234:1700000000", filepath.Join(root, "accounts", ".#tooling.yaml")); err != nil {
		t.Skip("no symlinks here:", err)
	}
	e, diags, err := LoadEstate(root)
	if err != nil || diags.Len() != 0 || len(e.Files) != 1 {
		t.Fatalf("LoadEstate = %v, %d findings, files %v; want the lock file ignored", err, diags.Len(), e.Files)
	}
}

func TestLoadEstateUnreadableFile(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{"accounts/tooling.yaml": account})
	// A dangling link is listed like a file but cannot be read, as root too.
	if err := os.Symlink(filepath.Join(root, "nowhere.yaml"), filepath.Join(root, "accounts", "gone.yaml")); err != nil {
		t.Skip("no symlinks here:", err)
	}
	_, _, err := LoadEstate(root)
	if err == nil || !strings.Contains(err.Error(), "gone.yaml") {
		t.Fatalf("LoadEstate = %v, want an error naming gone.yaml", err)
	}
}

func TestGenericIntegers(t *testing.T) {
	diags := &diag.List{}
	docs := LoadBytes("imagerecipes/components/x.yaml", []byte(`name: x
schemaVersion: "1.0"
phases:
  - name: build
    steps:
      - name: wait
        action: Reboot
        inputs: {delaySeconds: 10, negative: -3, text: "10"}
`), diags)
	if diags.Len() != 0 || len(docs) != 1 {
		t.Fatalf("findings: %v", diags.Items())
	}
	inputs := docs[0].(*estate.Component).Phases[0].Steps[0].Inputs.(map[string]any)
	if inputs["delaySeconds"] != int64(10) || inputs["negative"] != int64(-3) || inputs["text"] != "10" {
		t.Errorf("inputs = %#v, want int64 10, int64 -3 and string \"10\"", inputs)
	}
}

// gitlab.rb values are written as Ruby literals: YAML's .inf and .nan have
// none, so the loader refuses them.
func TestRubyValueRefusesNonFinite(t *testing.T) {
	for _, v := range []string{".inf", "-.inf", ".nan"} {
		diags := &diag.List{}
		LoadBytes("environments/tooling/gitlab.yaml", []byte("kind: GitLab\ngitlabRb:\n  \"puma['x']\": "+v+"\n"), diags)
		if !diags.HasRule("yaml-type") {
			t.Errorf("%s: no yaml-type finding in %v", v, diags.Items())
		}
	}
}
