package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gitops/tools/internal/cli"
)

// scripts returns the text of every testscript.
func scripts(t *testing.T) string {
	t.Helper()
	files, err := filepath.Glob("testdata/script/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	var all strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(data)
	}
	return all.String()
}

// TestEveryCommandHasScripts keeps the scripts complete as commands are
// added: each command's help must be run through gitops help and --help,
// and a usage error of it must be checked to exit 2.
func TestEveryCommandHasScripts(t *testing.T) {
	all := scripts(t)
	for _, name := range cli.Names() {
		for _, want := range []string{
			"exits 0 gitops help " + name + "\n",
			"exits 0 gitops " + name + " --help",
		} {
			if !strings.Contains(all, want) {
				t.Errorf("no script runs %q", strings.TrimSpace(want))
			}
		}
		usage := regexp.MustCompile(`(?m)^exits 2 gitops ` + regexp.QuoteMeta(name) + `\b`)
		if !usage.MatchString(all) {
			t.Errorf("no script checks that a usage error of gitops %s exits 2", name)
		}
	}
}

// readmeCommand matches a gitops command in the README, as bin/gitops or
// through go run, at the start of a code line or of inline code.
var readmeCommand = regexp.MustCompile("(?m)(?:^|`)(?:bin/gitops|go run \\./tools/cmd/gitops) ([^`\n#|]*)")

// TestREADMECommandsAreAccepted checks every gitops command the README
// shows: the command exists and takes every flag written after it.
func TestREADMECommandsAreAccepted(t *testing.T) {
	data, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, m := range readmeCommand.FindAllStringSubmatch(string(data), -1) {
		words := strings.Fields(m[1])
		if len(words) == 0 || strings.HasPrefix(words[0], "-") {
			if len(words) > 0 && words[0] != "--version" && words[0] != "--help" {
				t.Errorf("README: gitops %s: a flag before the command", m[1])
			}
			continue
		}
		name := words[0]
		if len(words) > 1 && !strings.HasPrefix(words[1], "-") {
			if _, ok := cli.FlagNames(name + " " + words[1]); ok {
				name += " " + words[1]
			}
		}
		if name == "help" {
			continue
		}
		flags, ok := cli.FlagNames(name)
		if !ok {
			t.Errorf("README: gitops %s: no command %q", strings.TrimSpace(m[1]), name)
			continue
		}
		found++
		for _, w := range words {
			if !strings.HasPrefix(w, "--") {
				continue
			}
			flag, _, _ := strings.Cut(strings.TrimPrefix(w, "--"), "=")
			if flag != "help" && !slices.Contains(flags, flag) {
				t.Errorf("README: gitops %s: %s has no flag --%s", strings.TrimSpace(m[1]), name, flag)
			}
		}
	}
	if found < 5 {
		t.Errorf("found only %d gitops commands in the README; has its form changed?", found)
	}
}
