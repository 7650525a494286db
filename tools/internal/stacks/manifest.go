package stacks

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// ManifestFile is the manifest's name inside generated/.
const ManifestFile = "manifest.json"

// Manifest is generated/manifest.json: everything the commands after
// compile need — the stacks apply deploys in order and the operations of
// bake and mirrors sync — so none of them reads the estate.
type Manifest struct {
	// Version of the manifest format.
	Version int `json:"version"`
	// EstateSHA256 is the hash of the YAML compiled (load.EstateHash):
	// plan and apply refuse a generated/ the YAML has moved past.
	EstateSHA256 string `json:"estateSha256"`
	// Stacks in dependency order.
	Stacks []ManifestStack `json:"stacks"`
	Operations
}

// ManifestStack describes one generated template: the plan's header of
// the stack and the digest of its template.
type ManifestStack struct {
	StackHeader
	// SHA256 is the hex digest of the template file's bytes.
	SHA256 string `json:"sha256"`
	// Protected lists the resources apply refuses to destroy unasked.
	Protected []Protected `json:"protected,omitempty"`
}

// ManifestVersion is the current manifest format.
const ManifestVersion = 1

// NewManifest describes the plan's stacks and operations; templates maps
// stack IDs to their templates' bytes.
func NewManifest(p *Plan, templates map[string][]byte) *Manifest {
	ops := p.Operations
	if ops == nil {
		ops = &Operations{Accounts: []Account{}, Mirrors: []Mirror{}, ImageRecipes: []ImageRecipe{}, AllowReplace: []string{}}
	}
	m := &Manifest{Version: ManifestVersion, Stacks: []ManifestStack{}, Operations: *ops}
	amiParameters := ops.AMIParameters()
	m.Accounts = slices.Clone(m.Accounts)
	for _, s := range p.Stacks {
		if d := s.DeployRole; d != nil {
			for i := range m.Accounts {
				if m.Accounts[i].ID == s.AccountID {
					m.Accounts[i].MirrorsRole, m.Accounts[i].SMTPRole = d.MirrorsRole, d.SMTPRole
				}
			}
		}
	}
	for _, s := range p.Stacks {
		ms := ManifestStack{StackHeader: s.StackHeader}
		if t, ok := templates[s.ID]; ok {
			ms.SHA256 = SHA256Hex(t)
			ms.Protected = ProtectedResources(t, amiParameters)
		}
		// Empty lists, not null, so every stack reads alike.
		ms.DependsOn = nonNil(s.DependsOn)
		ms.Parameters = nonNil(s.Parameters)
		ms.Outputs = nonNil(s.Outputs)
		m.Stacks = append(m.Stacks, ms)
	}
	return m
}

// Marshal renders the manifest as indented JSON ending in a newline; the
// same manifest always gives the same bytes.
func (m *Manifest) Marshal() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// SHA256Hex is the hex digest the manifest gives of a template's bytes.
func SHA256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// ReadManifest reads dir/manifest.json, refusing unknown fields, another
// format version and stacks in accounts the account table lacks.
func ReadManifest(dir string) (*Manifest, error) {
	path := filepath.Join(dir, ManifestFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the manifest: %w (run gitops compile first)", err)
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if m.Version != ManifestVersion {
		return nil, fmt.Errorf("%s: manifest version %d, this gitops reads version %d; run gitops compile with this gitops",
			path, m.Version, ManifestVersion)
	}
	for _, s := range m.Stacks {
		if a, ok := m.Account(s.Account); !ok || a.ID != s.AccountID {
			return nil, fmt.Errorf("%s: stack %s is in account %s (%s), which the manifest's accounts do not list; run gitops compile with this gitops",
				path, s.ID, s.Account, s.AccountID)
		}
	}
	return &m, nil
}
