package stacks

import (
	"slices"

	"gitops/tools/internal/estate"
)

// Operations is what the commands after compile (plan, apply, bake,
// mirrors sync) need of the estate besides the stacks: the accounts and how
// to reach them, the mirrors to sync and the recipes to bake, every AWS
// name already derived. It travels in the manifest, so those commands never
// read the YAML.
type Operations struct {
	// Accounts in estate order.
	Accounts []Account `json:"accounts"`
	// Mirrors in estate order.
	Mirrors []Mirror `json:"mirrors"`
	// ImageRecipes in estate order (the bake cascade keeps it for siblings).
	ImageRecipes []ImageRecipe `json:"imageRecipes"`
	// AllowReplace are the documents' allowReplace: entries (TYPE/ID), in
	// file order: the protected resources a change set may replace or
	// remove.
	AllowReplace []string `json:"allowReplace"`
}

// Account is an AWS account and the role gitops assumes in it.
type Account struct {
	Name string `json:"name"`
	ID   string `json:"id"`
	// DeployRole is the role assumed from another account (the estate's
	// deployRoleName or the default).
	DeployRole string `json:"deployRole"`
	// MirrorsRole is the role gitops mirrors sync assumes here, when
	// mirrors are planned here (MirrorsSyncRoleName).
	MirrorsRole string `json:"mirrorsRole,omitempty"`
	// SMTPRole is the role GitLab's SMTP credentials are kept current
	// through here, when a GitLab here sends mail through SES
	// (SMTPCredentialsRoleName).
	SMTPRole string `json:"smtpRole,omitempty"`
}

// Mirror is one mirror as gitops mirrors sync handles it.
type Mirror struct {
	Name    string `json:"name"`
	Account string `json:"account"`
	Region  string `json:"region"`
	// Project is the GitLab project mirrored; Branches the branches the
	// mirror must carry (GitLab must protect them).
	Project  string       `json:"project"`
	Branches []string     `json:"branches"`
	GitLab   MirrorGitLab `json:"gitlab"`
	// Exactly one of CodeCommit and CodeConnections is set.
	CodeCommit      *MirrorCodeCommit      `json:"codeCommit,omitempty"`
	CodeConnections *MirrorCodeConnections `json:"codeConnections,omitempty"`
}

// MirrorGitLab is the GitLab service a mirror copies from.
type MirrorGitLab struct {
	Name    string `json:"name"`
	Account string `json:"account"`
	Region  string `json:"region"`
	// URL is https://<alb.domain>; empty when the service has no domain.
	URL string `json:"url,omitempty"`
}

// MirrorCodeCommit is a CodeCommit mirror's repository, the IAM user GitLab
// pushes as and the secret holding that user's Git credential.
type MirrorCodeCommit struct {
	Repository string `json:"repository"`
	User       string `json:"user"`
	Secret     string `json:"secret"`
}

// MirrorCodeConnections is a CodeConnections mirror's connection.
type MirrorCodeConnections struct {
	Connection string `json:"connection"`
}

// ImageRecipe is one recipe as gitops bake handles it.
type ImageRecipe struct {
	Name    string `json:"name"`
	Account string `json:"account"`
	Region  string `json:"region"`
	// Pipeline is the ImageBuilder pipeline that builds it, in Account and
	// Region.
	Pipeline string `json:"pipeline"`
	// Parameter is the SSM parameter holding its AMI id in every
	// distribution target.
	Parameter string `json:"parameter"`
	// Parent is the recipe this one builds on, if any (the cascade).
	Parent string `json:"parent,omitempty"`
	// Distribution lists each target account and region once.
	Distribution []RecipeTarget `json:"distribution"`
}

// RecipeTarget is an account and region a recipe's AMI goes to.
type RecipeTarget struct {
	Account string `json:"account"`
	Region  string `json:"region"`
}

// Account returns the account named name.
func (o *Operations) Account(name string) (Account, bool) {
	i := slices.IndexFunc(o.Accounts, func(a Account) bool { return a.Name == name })
	if i < 0 {
		return Account{}, false
	}
	return o.Accounts[i], true
}

// ImageRecipe returns the recipe named name.
func (o *Operations) ImageRecipe(name string) (ImageRecipe, bool) {
	i := slices.IndexFunc(o.ImageRecipes, func(r ImageRecipe) bool { return r.Name == name })
	if i < 0 {
		return ImageRecipe{}, false
	}
	return o.ImageRecipes[i], true
}

// NewOperations derives the operations of a validated estate. Entries the
// index does not hold (a duplicate name, which validation refuses) are left
// out, as the planner leaves them out of the stacks.
func NewOperations(e *estate.Estate) *Operations {
	ix := estate.NewIndex(e)
	o := &Operations{Accounts: []Account{}, Mirrors: []Mirror{}, ImageRecipes: []ImageRecipe{}, AllowReplace: []string{}}
	for _, entry := range e.AllowReplace() {
		if !slices.Contains(o.AllowReplace, entry.Key) {
			o.AllowReplace = append(o.AllowReplace, entry.Key)
		}
	}
	for _, a := range e.Accounts {
		if ix.Accounts[a.Name] == a {
			o.Accounts = append(o.Accounts, Account{Name: a.Name, ID: a.ID, DeployRole: a.DeployRole()})
		}
	}
	for _, m := range e.Mirrors {
		if ix.Mirrors[m.Name] == m {
			o.Mirrors = append(o.Mirrors, newMirror(m, ix.GitLabs[m.GitLab]))
		}
	}
	for _, r := range e.ImageRecipes {
		if ix.ImageRecipes[r.Name] == r {
			o.ImageRecipes = append(o.ImageRecipes, newImageRecipe(r))
		}
	}
	return o
}

func newMirror(m *estate.Mirror, g *estate.GitLab) Mirror {
	out := Mirror{
		Name: m.Name, Account: m.Account, Region: m.Region,
		Project: m.Project, Branches: nonNil(m.Branches),
		GitLab: MirrorGitLab{Name: m.GitLab},
	}
	if g != nil {
		out.GitLab = MirrorGitLab{Name: g.Name, Account: g.Account, Region: g.Region, URL: GitLabURL(g)}
	}
	switch {
	case m.CodeCommit != nil:
		out.CodeCommit = &MirrorCodeCommit{
			Repository: m.CodeCommit.Repository,
			User:       MirrorUserName(m.Name),
			Secret:     MirrorSecretName(m.Name),
		}
	case m.CodeConnections != nil:
		out.CodeConnections = &MirrorCodeConnections{Connection: m.CodeConnections.Connection}
	}
	return out
}

func newImageRecipe(r *estate.ImageRecipe) ImageRecipe {
	out := ImageRecipe{
		Name: r.Name, Account: r.Account, Region: r.Region,
		Pipeline: ImagePipelineName(r.Name), Parameter: r.SSMParameter,
		Parent: r.Parent.Recipe, Distribution: []RecipeTarget{},
	}
	for _, t := range r.Distribution {
		rt := RecipeTarget{Account: t.Account, Region: t.Region}
		if !slices.Contains(out.Distribution, rt) {
			out.Distribution = append(out.Distribution, rt)
		}
	}
	return out
}
