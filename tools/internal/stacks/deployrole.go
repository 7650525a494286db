package stacks

import (
	"slices"
)

// DeployRoleSpec is an account's deploy role stack: the role the pipelines
// in the tooling accounts assume to run change sets, and the role
// CloudFormation itself runs them with.
type DeployRoleSpec struct {
	// RoleName is the deploy role's name (the account's deployRoleName).
	RoleName string `json:"roleName"`
	// ExecutionRoleName is the CloudFormation service role's name.
	ExecutionRoleName string `json:"executionRoleName"`
	// TrustedAccountIDs are the tooling accounts whose pipeline roles
	// (named PipelineRolePattern) may assume the deploy role, sorted.
	TrustedAccountIDs []string `json:"trustedAccountIds"`
	// StackNamePattern limits the deploy role to the estate's stacks.
	StackNamePattern string `json:"stackNamePattern"`
}

// Names of the roles the deploy role stack trusts and creates.
const (
	// PipelineRolePattern names the roles in the tooling accounts that may
	// assume deploy roles (the pipelines' and CodeBuild projects' roles).
	PipelineRolePattern = "gitops-*"
	// ExecutionRoleName is the CloudFormation service role in each account.
	ExecutionRoleName = "gitops-cfn-exec"
	deployRoleStack   = "deploy-role"
)

// planDeployRoles makes one deploy role stack per account, in the account's
// first region (IAM is global).
func (p *planner) planDeployRoles() {
	var trusted []string
	for _, a := range p.e.Accounts {
		if a.Role == "tooling" && !slices.Contains(trusted, a.ID) {
			trusted = append(trusted, a.ID)
		}
	}
	slices.Sort(trusted)
	for _, a := range p.e.Accounts {
		if len(a.Regions) == 0 || p.ix.Accounts[a.Name] != a {
			continue
		}
		s := p.newStack(KindDeployRole, a.Name, a.Regions[0], deployRoleStack)
		if s == nil {
			continue
		}
		s.DeployRole = &DeployRoleSpec{
			RoleName:          a.DeployRole(),
			ExecutionRoleName: ExecutionRoleName,
			TrustedAccountIDs: trusted,
			StackNamePattern:  "gitops-*",
		}
	}
}

// afterDeployRoles makes every other stack of an account depend on the
// account's deploy role stack: apply deploys through that role.
func (p *planner) afterDeployRoles() {
	roles := map[string]*Stack{}
	for _, s := range p.stacks {
		if s.Kind == KindDeployRole {
			roles[s.Account] = s
		}
	}
	for _, s := range p.stacks {
		if r := roles[s.Account]; r != nil && s.Kind != KindDeployRole {
			p.dependOn(s, r)
		}
	}
}
