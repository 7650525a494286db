package apply

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/stacks"
)

// maxTemplateBody is the largest template CloudFormation accepts inline
// (TemplateBody); larger ones, up to 1 MB, are uploaded to the account's
// template bucket (see templateURL).
const maxTemplateBody = stacks.MaxInlineTemplateBytes

// Deployment is generated/ read back: the manifest's stacks in dependency
// order, each with its template checked against the manifest's digest.
type Deployment struct {
	Dir    string
	Stacks []*Stack
	// Operations holds the account table (how to reach each account) and
	// the AMI parameters a change must not overwrite.
	Operations stacks.Operations
	byID       map[string]*Stack
}

// Stack is one manifest stack with its template.
type Stack struct {
	stacks.ManifestStack
	// Body is the template as sent to CloudFormation: compact JSON.
	Body string
	// Template is the parsed template, for listing its resources and
	// reading their properties.
	Template *Template
}

// Target is where the stack is deployed.
func (s *Stack) Target() Target {
	return Target{Account: s.Account, AccountID: s.AccountID, Region: s.Region}
}

// Template is the part of a CloudFormation template apply reads.
type Template struct {
	Resources map[string]TemplateResource `json:"Resources"`
}

// TemplateResource is one resource of a template.
type TemplateResource struct {
	Type       string         `json:"Type"`
	Properties map[string]any `json:"Properties"`
}

// parseTemplate reads a JSON template; nil when it is not one.
func parseTemplate(body string) *Template {
	var t Template
	if json.Unmarshal([]byte(body), &t) != nil {
		return nil
	}
	return &t
}

// LoadDeployment reads dir/manifest.json and every template it lists.
func LoadDeployment(dir string) (*Deployment, error) {
	m, err := stacks.ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	d := &Deployment{Dir: dir, Operations: m.Operations, byID: map[string]*Stack{}}
	var problems []string
	for _, ms := range m.Stacks {
		if ms.DeployedBy != "" {
			// An application stack goes out through its pipeline, with the
			// pipeline's approvals; apply deploying it would skip them.
			continue
		}
		s, err := loadStack(dir, ms)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		if _, dup := d.byID[s.ID]; dup {
			problems = append(problems, fmt.Sprintf("stack %s is listed twice", s.ID))
			continue
		}
		for _, dep := range s.DependsOn {
			if _, ok := d.byID[dep]; !ok {
				problems = append(problems, fmt.Sprintf("stack %s depends on %s, which the manifest does not list before it", s.ID, dep))
			}
		}
		d.byID[s.ID] = s
		d.Stacks = append(d.Stacks, s)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s:\n\t%s", dir, strings.Join(problems, "\n\t"))
	}
	return d, nil
}

func loadStack(dir string, ms stacks.ManifestStack) (*Stack, error) {
	if ms.ID == "" || ms.Name == "" || ms.AccountID == "" || ms.Region == "" || ms.Template == "" {
		return nil, fmt.Errorf("stack %q: id, name, accountId, region and template are required", ms.ID)
	}
	if !filepath.IsLocal(filepath.FromSlash(ms.Template)) {
		return nil, fmt.Errorf("stack %s: template path %q leaves %s", ms.ID, ms.Template, dir)
	}
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(ms.Template)))
	if err != nil {
		return nil, fmt.Errorf("stack %s: %v", ms.ID, err)
	}
	if stacks.SHA256Hex(data) != ms.SHA256 {
		return nil, fmt.Errorf("stack %s: %s does not match the manifest's sha256 (edited by hand?); run gitops compile", ms.ID, ms.Template)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, data); err != nil {
		return nil, fmt.Errorf("stack %s: %s is not JSON: %v", ms.ID, ms.Template, err)
	}
	if compact.Len() > stacks.MaxTemplateBytes {
		return nil, fmt.Errorf("stack %s: template is %d bytes, over CloudFormation's %d-byte limit",
			ms.ID, compact.Len(), stacks.MaxTemplateBytes)
	}
	body := compact.String()
	return &Stack{ManifestStack: ms, Body: body, Template: parseTemplate(body)}, nil
}

// Stack returns the stack with the given ID, or nil.
func (d *Deployment) Stack(id string) *Stack { return d.byID[id] }

// Select keeps the stacks named by ids (stack ID or CloudFormation name)
// and in the accounts named by accounts (estate name or AWS id); an empty
// list keeps everything. Naming something the manifest does not hold is
// an error, with a did-you-mean.
func (d *Deployment) Select(ids, accounts []string) ([]*Stack, error) {
	var known, knownAccounts []string
	for _, s := range d.Stacks {
		known = append(known, s.ID, s.Name)
		if !slices.Contains(knownAccounts, s.Account) {
			knownAccounts = append(knownAccounts, s.Account, s.AccountID)
		}
	}
	var problems []string
	for _, id := range ids {
		if !slices.Contains(known, id) {
			problems = append(problems, unknown("stack", id, known))
		}
	}
	for _, a := range accounts {
		if !slices.Contains(knownAccounts, a) {
			problems = append(problems, unknown("account", a, knownAccounts))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	var out []*Stack
	for _, s := range d.Stacks {
		if len(ids) > 0 && !slices.Contains(ids, s.ID) && !slices.Contains(ids, s.Name) {
			continue
		}
		if len(accounts) > 0 && !slices.Contains(accounts, s.Account) && !slices.Contains(accounts, s.AccountID) {
			continue
		}
		out = append(out, s)
	}
	return out, nil
}

func unknown(what, name string, known []string) string {
	msg := fmt.Sprintf("the manifest has no %s %q", what, name)
	if hint := diag.DidYouMean(name, known); hint != "" {
		msg += " (" + hint + ")"
	}
	return msg
}
