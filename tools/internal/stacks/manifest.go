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
	// Stacks in dependency order.
	Stacks []ManifestStack `json:"stacks"`
}

// ManifestStack describes one generated template.
type ManifestStack struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Kind      Kind   `json:"kind"`
	Account   string `json:"account"`
	AccountID string `json:"accountId"`
	Region    string `json:"region"`
	Template  string `json:"template"`
	// SHA256 is the hex digest of the template file's bytes.
	SHA256     string            `json:"sha256"`
	DependsOn  []string          `json:"dependsOn"`
	Parameters []Parameter       `json:"parameters"`
	Outputs    []string          `json:"outputs"`
	Tags       map[string]string `json:"tags,omitempty"`
	CopyImage  *ImageCopy        `json:"copyImage,omitempty"`
	// DeployedBy names the pipeline stack that deploys this stack; apply
	// does not.
	DeployedBy string `json:"deployedBy,omitempty"`
}

// ManifestVersion is the current manifest format.
const ManifestVersion = 1

// NewManifest describes the plan's stacks; hashes maps stack IDs to the
// digests of their templates.
func NewManifest(p *Plan, hashes map[string]string) *Manifest {
	m := &Manifest{Version: ManifestVersion, Stacks: []ManifestStack{}}
	for _, s := range p.Stacks {
		m.Stacks = append(m.Stacks, ManifestStack{
			ID: s.ID, Name: s.Name, Kind: s.Kind,
			Account: s.Account, AccountID: s.AccountID, Region: s.Region,
			Template: s.Template, SHA256: hashes[s.ID],
			DependsOn:  nonNil(s.DependsOn),
			Parameters: nonNilParams(s.Parameters),
			Outputs:    nonNil(s.Outputs),
			Tags:       s.Tags,
			CopyImage:  s.CopyImage,
			DeployedBy: s.DeployedBy,
		})
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

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilParams(s []Parameter) []Parameter {
	if s == nil {
		return []Parameter{}
	}
	return s
}
