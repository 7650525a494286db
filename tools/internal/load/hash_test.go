package load

import (
	"os"
	"path/filepath"
	"testing"
)

func TestEstateHashFollowsTheYAMLOnly(t *testing.T) {
	root := t.TempDir()
	write := func(rel, content string) {
		t.Helper()
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	hash := func() string {
		t.Helper()
		h, err := EstateHash(root)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	write("accounts/dev.yaml", "kind: Account\nname: dev\n")
	first := hash()
	if hash() != first {
		t.Fatal("the same estate hashed twice differs")
	}
	// Files no loader reads do not count.
	write("accounts/README.md", "notes")
	write("accounts/.dev.yaml.swp", "editor")
	write("generated/manifest.json", "{}")
	if hash() != first {
		t.Error("a file the loader does not read changed the hash")
	}
	for _, change := range []struct{ rel, content string }{
		{"accounts/dev.yaml", "kind: Account\nname: dev2\n"},
		{"environments/dev/network.yaml", "kind: Network\n"},
		{"imagerecipes/components/a.yaml", "name: a\n"},
	} {
		before := hash()
		write(change.rel, change.content)
		if hash() == before {
			t.Errorf("writing %s left the hash unchanged", change.rel)
		}
	}
	// A renamed file is another estate.
	before := hash()
	os.Rename(filepath.Join(root, "environments/dev/network.yaml"), filepath.Join(root, "environments/dev/net.yaml"))
	if hash() == before {
		t.Error("renaming a file left the hash unchanged")
	}
}
