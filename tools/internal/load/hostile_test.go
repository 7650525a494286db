package load

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
)

// TestUnusualInput holds each kind of hostile or unusual input issue 9
// found mishandled, with what the loader does with it now: load it, with
// positions as an editor shows them, or refuse it with a finding at the
// offending byte. Nothing is dropped without a finding.
func TestUnusualInput(t *testing.T) {
	shared := strings.ReplaceAll(account, "tooling", "shared")
	crlf := func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }
	cases := []struct {
		name  string
		file  string
		src   string
		names []string // the documents it must load, by name
		want  []finding
	}{
		{
			name: "--- directly followed by --- in the middle of a file keeps the documents after it",
			file: "accounts/both.yaml", src: account + "---\n---\n" + withLine(shared, 2, "nmae: shared"),
			names: []string{"tooling", "shared"},
			want:  []finding{{"10:1", "yaml-unknown-key", `unknown key "nmae"`, `did you mean "name"?`}},
		},
		{
			name: "--- directly followed by --- at the start of a file",
			file: "accounts/both.yaml", src: "---\n---\n" + account, names: []string{"tooling"},
		},
		{
			name: "empty documents between and after",
			file: "accounts/both.yaml", src: "# head\n---\n# nothing\n---\n" + account + "---\n...\n---\n" + shared + "--- # end\n",
			names: []string{"tooling", "shared"},
		},
		{
			name: "a document ended by ... then a directive",
			file: "accounts/both.yaml", src: account + "...\n%YAML 1.2\n---\n" + withLine(shared, 6, "regions: eu-west-1"),
			names: []string{"tooling", "shared"},
			want:  []finding{{"15:10", "yaml-type", `expected a list, got string "eu-west-1"`, "[eu-west-1]"}},
		},
		{
			name: "CRLF line ends: positions after comment lines",
			file: "accounts/tooling.yaml", src: crlf("# yaml-language-server: $schema=x\n# owner: platform\n" + withLine(account, 5, "rol: tooling")),
			names: []string{"tooling"},
			want:  []finding{{"7:1", "yaml-unknown-key", `unknown key "rol"`, `did you mean "role"?`}},
		},
		{
			name: "lone CR line ends",
			file: "accounts/tooling.yaml", src: strings.ReplaceAll("# c\n"+withLine(account, 5, "rol: tooling"), "\n", "\r"),
			names: []string{"tooling"},
			want:  []finding{{"6:1", "yaml-unknown-key", `unknown key "rol"`, `did you mean "role"?`}},
		},
		{
			name: "UTF-8 byte order mark before a comment",
			file: "accounts/tooling.yaml", src: "\uFEFF# yaml-language-server: $schema=x\n" + withLine(account, 1, "kind: Acount"),
			want: []finding{{"2:7", "yaml-kind", `unknown kind "Acount"`, `did you mean "Account"?`}},
		},
		{
			name: "UTF-8 byte order mark before the first key",
			file: "accounts/tooling.yaml", src: "\uFEFF" + withLine(account, 1, "kind: Acount"),
			want: []finding{{"1:7", "yaml-kind", `unknown kind "Acount"`, `did you mean "Account"?`}},
		},
		{
			name: "NUL byte inside a value",
			file: "accounts/tooling.yaml", src: withLine(account, 4, "email: tool\x00ing@example.com"),
			want: []finding{{"4:12", "yaml-encoding", "a NUL byte", "delete it"}},
		},
		{
			name: "invalid UTF-8 inside a value, after a multi-byte character",
			file: "accounts/tooling.yaml", src: account + "tags: {team: \"é\xe9\"}\n",
			want: []finding{{"7:16", "yaml-encoding", "byte 0xE9 is not UTF-8", "save the file as UTF-8"}},
		},
		{
			name: "control character",
			file: "accounts/tooling.yaml", src: account + "tags: {team: a\x1bb}\n",
			want: []finding{{"7:15", "yaml-encoding", "control character U+001B", "delete it"}},
		},
		{
			name: "UTF-16 with a byte order mark",
			file: "accounts/tooling.yaml", src: utf16le("\uFEFF" + account),
			want: []finding{{"1:1", "yaml-encoding", "file is encoded as UTF-16 (little-endian)", "save it as UTF-8"}},
		},
		{
			name: "UTF-16 without a byte order mark",
			file: "accounts/tooling.yaml", src: utf16be(account),
			want: []finding{{"1:1", "yaml-encoding", "file is encoded as UTF-16 (big-endian)", "save it as UTF-8"}},
		},
		{
			name: "the standard !!map tag on the root mapping, !!str on scalars",
			file: "accounts/tooling.yaml", src: "--- !!map\n" + withLine(withLine(account, 2, "name: !!str tooling"), 3, "id: !!str \"111111111111\""),
			names: []string{"tooling"},
		},
		{
			name: "the !!map tag on its own line before the root mapping",
			file: "accounts/tooling.yaml", src: "!!map\n" + account, names: []string{"tooling"},
		},
		{
			name: "another tag on the root mapping",
			file: "accounts/tooling.yaml", src: "--- !thing\n" + account,
			want: []finding{{"1:5", "yaml-kind", "tag !thing is not supported on a document", "remove it"}},
		},
		{
			name: "a top-level list",
			file: "accounts/tooling.yaml", src: "- " + strings.ReplaceAll(strings.TrimSuffix(account, "\n"), "\n", "\n  ") + "\n",
			want: []finding{{"1:1", "yaml-kind", "must be a mapping starting with kind:, got a list", `remove the leading "- "`}},
		},
		{
			name: "100,000-deep flow sequence",
			file: "accounts/tooling.yaml", src: account + "tags: " + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + "\n",
			want: []finding{{"7:70", "yaml-size", "nest deeper than 64 levels", "write the values out flat"}},
		},
		{
			name: "100,000-deep flow mapping",
			file: "accounts/tooling.yaml", src: account + "tags: " + strings.Repeat("{a: ", 100_000) + "1" + strings.Repeat("}", 100_000) + "\n",
			want: []finding{{"7:259", "yaml-size", "nest deeper than 64 levels", "write the values out flat"}},
		},
		{
			name: "100,000-deep block sequence on one line",
			file: "accounts/tooling.yaml", src: account + "tags:\n  " + strings.Repeat("- ", 100_000) + "x\n",
			want: []finding{{"8:129", "yaml-size", "nest deeper than 64 levels", "write the values out flat"}},
		},
		{
			name: "deep block mappings by indentation",
			file: "accounts/tooling.yaml", src: account + "tags:\n" + deepBlock(70),
			want: []finding{{"71:65", "yaml-size", "nest deeper than 64 levels", "write the values out flat"}},
		},
		{
			name: "a file larger than the limit",
			file: "accounts/tooling.yaml", src: account + "unknown:\n" + strings.Repeat("  - some value\n", MaxFileSize/15),
			want: []finding{{"1:1", "yaml-size", "more than the 2.0 MiB the loader reads", "split its documents"}},
		},
		{
			name: "more values than the limit",
			file: "accounts/tooling.yaml", src: account + "unknown:\n" + strings.Repeat("  - a\n", maxValues),
			// Lines with content count, and so does the flow list on line 6.
			want: []finding{{fmt.Sprintf("%d:3", maxValues), "yaml-size", "more than 50000 values", "split its documents"}},
		},
		{
			name: "a block mapping with more keys than the limit",
			file: "accounts/tooling.yaml", src: account + "tags:\n" + keys(maxKeys+1),
			want: []finding{{fmt.Sprintf("%d:3", 8+maxKeys), "yaml-size", "a mapping with more than 200 keys", "make it a list"}},
		},
		{
			name: "findings are capped per file",
			file: "accounts/tooling.yaml", src: account + "tags:\n" + strings.ReplaceAll(keys(150), "v\n", "[]\n"),
			names: []string{"tooling"},
			want:  manyTypeErrors(),
		},
		{
			name: "a plain value followed by the indented block that was its value",
			file: "environments/tooling/network.yaml", src: withLine(network, 4, "vpcs: 42"),
			want: []finding{{"5:9", "yaml-syntax", `plain value "42" runs on into line 5, where "- name: build" cannot be part of it`, `delete "42"`}},
		},
		{
			name: "an unquoted integer that overflows",
			file: "environments/tooling/network.yaml", src: withLine(network, 7, "    azCount: 99999999999999999999"),
			want: []finding{{"7:14", "yaml-type", "integer 99999999999999999999 is too large", "below 9223372036854775808"}},
		},
		{
			name: "a multi-line value of the wrong type is reported at its first line, quoted by it",
			file: "accounts/tooling.yaml", src: account + "production: yes\n  please\n",
			want: []finding{{"7:13", "yaml-type", `expected true or false, got string "yes please"`, "write true or false"}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			docs, got := loadString(tc.file, tc.src)
			checkFindings(t, got, tc.want)
			var names []string
			for _, d := range docs {
				if a, ok := d.(*estate.Account); ok {
					names = append(names, a.Name)
				}
			}
			if tc.names != nil && fmt.Sprint(names) != fmt.Sprint(tc.names) {
				t.Errorf("loaded accounts %v, want %v", names, tc.names)
			}
		})
	}
}

func utf16le(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteByte(byte(r))
		b.WriteByte(byte(r >> 8))
	}
	return b.String()
}

func utf16be(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteByte(byte(r >> 8))
		b.WriteByte(byte(r))
	}
	return b.String()
}

// deepBlock nests n block mappings by indentation, one level per line.
func deepBlock(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "%sa:\n", strings.Repeat(" ", i+1))
	}
	return b.String()
}

// keys writes a block mapping of n keys, indented by two.
func keys(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "  k%d: v\n", i)
	}
	return b.String()
}

// manyTypeErrors is what the capped file yields: the first
// diag.MaxPerFile findings and one for the rest.
func manyTypeErrors() []finding {
	var want []finding
	for i := range diag.MaxPerFile {
		want = append(want, finding{fmt.Sprintf("%d:%d", 8+i, 6+len(fmt.Sprint(i))), "yaml-type", "expected a string, got a list", ""})
	}
	return append(want, finding{"108:9", diag.MoreRule, "50 more findings in this file", "run again"})
}

// TestUnusualInputExcerpts renders findings in files with CRLF line ends
// and a byte order mark: the excerpt is the line the position names, with
// the caret under the offending column, as an editor shows it.
func TestUnusualInputExcerpts(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"accounts/crlf.yaml": strings.ReplaceAll("# a comment\n# another\n"+withLine(account, 5, "rol: tooling"), "\n", "\r\n"),
		"accounts/bom.yaml":  "\uFEFF" + strings.ReplaceAll(withLine(account, 2, "nmae: bom"), "tooling", "bom"),
	})
	_, diags, err := LoadEstate(root)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := diag.Write(&out, "text", diag.Report{Root: root, Items: diags.Items()}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"accounts/crlf.yaml:7:1: error: unknown key \"rol\"",
		"    7 | rol: tooling\n      | ^\n",
		"accounts/bom.yaml:2:1: error: unknown key \"nmae\"",
		"    2 | nmae: bom\n      | ^\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// TestOversizedFileIsNotRead checks that LoadEstate refuses a file larger
// than MaxFileSize from its size, without reading it.
func TestOversizedFileIsNotRead(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{"accounts/tooling.yaml": account, "accounts/big.yaml": ""})
	// A sparse file: large, but costs no disk.
	if err := os.Truncate(filepath.Join(root, "accounts", "big.yaml"), 50<<20); err != nil {
		t.Fatal(err)
	}
	_, diags, err := LoadEstate(root)
	if err != nil {
		t.Fatal(err)
	}
	checkFindings(t, diags.Items(), []finding{{"1:1", "yaml-size", "file is 50.0 MiB, more than the 2.0 MiB the loader reads", "split"}})
	if got := diags.Items()[0].Pos.File; got != "accounts/big.yaml" {
		t.Errorf("finding in %s, want accounts/big.yaml", got)
	}
}
