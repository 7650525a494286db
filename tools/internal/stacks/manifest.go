package stacks

import (
	"bytes"
	"encoding/json"
)

// ManifestFile is the manifest's name inside generated/.
const ManifestFile = "manifest.json"

// Manifest is generated/manifest.json: what apply needs to deploy the
// templates in order, account by account, without reading the estate.
type Manifest struct {
	// Version of the manifest format.
	Version int `json:"version"`
	// EstateSHA256 is the hash of the YAML compiled (load.EstateHash):
	// plan and apply refuse a generated/ the YAML has moved past.
	EstateSHA256 string `json:"estateSha256"`
	// Stacks in dependency order.
	Stacks []ManifestStack `json:"stacks"`
}

// ManifestStack describes one generated template: the plan's header of
// the stack and the digest of its template.
type ManifestStack struct {
	StackHeader
	// SHA256 is the hex digest of the template file's bytes.
	SHA256 string `json:"sha256"`
}

// ManifestVersion is the current manifest format.
const ManifestVersion = 1

// NewManifest describes the plan's stacks; hashes maps stack IDs to the
// digests of their templates.
func NewManifest(p *Plan, hashes map[string]string) *Manifest {
	m := &Manifest{Version: ManifestVersion, Stacks: []ManifestStack{}}
	for _, s := range p.Stacks {
		ms := ManifestStack{StackHeader: s.StackHeader, SHA256: hashes[s.ID]}
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
