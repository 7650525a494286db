// Package stackstest edits a compiled generated/ the way compile would, for
// tests that change templates or the manifest by hand instead of compiling.
package stackstest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"gitops/tools/internal/stacks"
)

// EditManifest reads the manifest of the compiled directory generated,
// lets edit change it, and writes it back.
func EditManifest(t testing.TB, generated string, edit func(m *stacks.Manifest)) {
	t.Helper()
	path := filepath.Join(generated, stacks.ManifestFile)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m stacks.Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	edit(&m)
	if data, err = m.Marshal(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// EditTemplate lets change edit the Resources of stack id's template under
// generated, and records the template's new digest in the manifest.
func EditTemplate(t testing.TB, generated, id string, change func(resources map[string]any)) {
	t.Helper()
	found := false
	EditManifest(t, generated, func(m *stacks.Manifest) {
		for i, s := range m.Stacks {
			if s.ID != id {
				continue
			}
			found = true
			p := filepath.Join(generated, s.Template)
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			var tmpl map[string]any
			if err := json.Unmarshal(data, &tmpl); err != nil {
				t.Fatal(err)
			}
			change(tmpl["Resources"].(map[string]any))
			out, err := json.MarshalIndent(tmpl, "", " ")
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, out, 0o644); err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(out)
			m.Stacks[i].SHA256 = hex.EncodeToString(sum[:])
		}
	})
	if !found {
		t.Fatalf("no stack %s in %s", id, generated)
	}
}
