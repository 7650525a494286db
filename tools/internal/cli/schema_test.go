package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// schemaRoot makes a repository root holding only the model's sources, which
// gitops schema reads the descriptions from.
func schemaRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	model := filepath.Join(root, "tools", "internal", "estate")
	if err := os.MkdirAll(model, 0o755); err != nil {
		t.Fatal(err)
	}
	srcs, err := filepath.Glob("../estate/*.go")
	if err != nil || len(srcs) == 0 {
		t.Fatalf("model sources: %v", err)
	}
	for _, src := range srcs {
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(model, filepath.Base(src)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func runGitops(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = Main(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestSchemaCommand(t *testing.T) {
	root := schemaRoot(t)
	account := filepath.Join(root, "schemas", "account.schema.json")

	code, out, _ := runGitops("schema", "--root", root, "--check")
	if code != ExitFindings || strings.Count(out, "is out of date") != 8 || !strings.Contains(out, "run gitops schema and commit the result") {
		t.Fatalf("check before writing: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(account); err == nil {
		t.Fatal("--check wrote files")
	}

	code, out, errOut := runGitops("schema", "--root", root)
	if code != ExitOK || strings.Count(out, "wrote schemas/") != 8 {
		t.Fatalf("write: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, _ := runGitops("schema", "--root", root, "--check"); code != ExitOK || out != "" {
		t.Fatalf("check after writing: exit %d\n%s", code, out)
	}

	if err := os.WriteFile(account, []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runGitops("schema", "--root", root, "--check")
	if code != ExitFindings || !strings.HasPrefix(out, "schemas/account.schema.json is out of date\n") || strings.Count(out, "out of date") != 1 {
		t.Fatalf("check after an edit: exit %d\n%s", code, out)
	}
	// Only the stale file is rewritten; no temporary file is left behind.
	if code, out, _ := runGitops("schema", "--root", root); code != ExitOK || out != "wrote schemas/account.schema.json\n" {
		t.Fatalf("rewrite: exit %d\n%s", code, out)
	}
	entries, err := os.ReadDir(filepath.Join(root, "schemas"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".schema.json") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

func TestSchemaCommandErrors(t *testing.T) {
	if code, _, _ := runGitops("schema", "--nope"); code != ExitUsage {
		t.Errorf("unknown flag: exit %d, want %d", code, ExitUsage)
	}
	if code, _, _ := runGitops("schema", "extra"); code != ExitUsage {
		t.Errorf("stray argument: exit %d, want %d", code, ExitUsage)
	}
	code, _, errOut := runGitops("schema", "--root", t.TempDir())
	if code != ExitUsage || !strings.Contains(errOut, "--root must be the repository root") {
		t.Errorf("root without the model: exit %d, stderr %q", code, errOut)
	}
}
