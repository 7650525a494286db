package stacks

import (
	"slices"
	"strings"
)

// DeployRoleSpec is an account's deploy role stack: the role the pipelines
// in the tooling accounts assume to run change sets, and the role
// CloudFormation itself runs them with.
type DeployRoleSpec struct {
	// RoleName is the deploy role's name (the account's deployRoleName).
	RoleName string `json:"roleName"`
	// ExecutionRoleName is the CloudFormation service role's name.
	ExecutionRoleName string `json:"executionRoleName"`
	// Trusted are the roles that may assume the deploy role, sorted: the
	// estate's apply role (ApplyRoleName) in every tooling account, the
	// roles of the pipelines deploying here and of the bake stages
	// publishing AMIs here. Roles are named exactly: a pattern such as
	// gitops-* would also match the generated names of every role in a
	// gitops-… stack.
	Trusted []RoleRef `json:"trusted"`
	// PlanTrusted are the plan roles (PlanRoleName) of the tooling
	// accounts, which may assume this account's plan role, sorted.
	PlanTrusted []RoleRef `json:"planTrusted"`
	// StackNamePattern limits the deploy role to the estate's stacks.
	StackNamePattern string `json:"stackNamePattern"`
	// Stacks are the application stacks the pipelines deploy here, sorted.
	Stacks []StackRef `json:"stacks,omitempty"`
	// Artifacts are the pipelines' artifact buckets the deploy actions
	// read (templates, image definitions), sorted.
	Artifacts []ArtifactRef `json:"artifacts,omitempty"`
	// AMIParameters are the parameters of the recipes distributed here
	// from other accounts, which gitops bake writes through the deploy
	// role, sorted.
	AMIParameters []ParameterRef `json:"amiParameters,omitempty"`
	// ECSServices are the services ECS deploy actions update here, sorted.
	ECSServices []ECSServiceRef `json:"ecsServices,omitempty"`
	// ImageBuilderAccountIDs are the accounts that build AMIs distributed
	// here; ImageBuilder copies them in through the distribution role,
	// sorted.
	ImageBuilderAccountIDs []string `json:"imageBuilderAccountIds,omitempty"`
	// SMTPCredentials are the GitLab SMTP users and secrets apply keeps
	// current here (Stack.SMTPCredentials), sorted.
	SMTPCredentials []SMTPCredentialsRef `json:"smtpCredentials,omitempty"`
	// ShareOwnerAccountIDs are the accounts whose RAM invitations apply
	// accepts here (Stack.AcceptShare), sorted.
	ShareOwnerAccountIDs []string `json:"shareOwnerAccountIds,omitempty"`
	// PrivateZones is what apply does here to associate private hosted
	// zones with VPCs of other accounts and regions (Stack.AssociateZone).
	PrivateZones *ZoneGrant `json:"privateZones,omitempty"`
}

// SMTPCredentialsRef is a GitLab SMTP user, its secret and its service.
type SMTPCredentialsRef struct {
	Region string `json:"region"`
	SMTPCredentials
}

// StackRef is a stack in a region.
type StackRef struct {
	Region string `json:"region"`
	Name   string `json:"name"`
}

// ArtifactRef is an artifact bucket and where its KMS key lives.
type ArtifactRef struct {
	Bucket    string `json:"bucket"`
	AccountID string `json:"accountId"`
	Region    string `json:"region"`
}

// ParameterRef is an SSM parameter in a region.
type ParameterRef struct {
	Region string `json:"region"`
	Name   string `json:"name"`
}

// ECSServiceRef is an ECS service in a region.
type ECSServiceRef struct {
	Region  string `json:"region"`
	Cluster string `json:"cluster"`
	Service string `json:"service"`
}

// Names of the roles the deploy role stack trusts and creates.
const (
	// ApplyRoleName is the role the estate's own pipeline (buildspec.yml)
	// runs gitops apply as, in each tooling account.
	ApplyRoleName = "gitops-apply"
	// PlanRoleName is the role merge-request CI runs gitops plan as, in each
	// tooling account, and the role of that name in every account it
	// assumes: it may create, read and delete change sets, never execute
	// them, so a merge request's pipeline cannot change the estate.
	PlanRoleName = "gitops-plan"
	// ExecutionRoleName is the CloudFormation service role in each account.
	ExecutionRoleName = "gitops-cfn-exec"
	// DistributionRoleName is the role ImageBuilder assumes to copy AMIs
	// into an account; ImageBuilder requires exactly this name.
	DistributionRoleName = "EC2ImageBuilderDistributionCrossAccountRole"
	deployRoleStack      = "deploy-role"
)

// planDeployRoles makes one deploy role stack per account, in the account's
// first region (IAM is global).
func (p *planner) planDeployRoles() {
	var trusted, planTrusted []RoleRef
	for _, a := range p.e.Accounts {
		r := RoleRef{AccountID: a.ID, Name: ApplyRoleName}
		if a.Role == "tooling" && !slices.Contains(trusted, r) {
			trusted = append(trusted, r)
			planTrusted = append(planTrusted, RoleRef{AccountID: a.ID, Name: PlanRoleName})
		}
	}
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
			Trusted:           slices.Clone(trusted),
			PlanTrusted:       slices.Clone(planTrusted),
			StackNamePattern:  "gitops-*",
		}
	}
}

// deployRoleOf returns the deploy role spec of the account with the given
// id, or nil.
func (p *planner) deployRoleOf(accountID string) *DeployRoleSpec {
	for _, a := range p.e.Accounts {
		if a.ID == accountID && len(a.Regions) > 0 {
			if s := p.stacks[StackID(a.Name, a.Regions[0], deployRoleStack)]; s != nil {
				return s.DeployRole
			}
		}
	}
	return nil
}

// grantDeployRoles lets each deploy role do what the pipelines and image
// recipes need in its account, and nothing for the others: run change sets
// on the application stacks deployed there, read their pipelines'
// artifacts, update their ECS services, publish the AMIs distributed there
// from other accounts.
func (p *planner) grantDeployRoles() {
	for _, s := range p.stacks {
		switch {
		case s.Pipeline != nil:
			pl := s.Pipeline
			for _, t := range pl.Targets {
				d := p.deployRoleOf(t.AccountID)
				if d == nil {
					continue
				}
				d.Trusted = appendNew(d.Trusted, RoleRef{AccountID: s.AccountID, Name: pl.RoleName})
				d.Artifacts = appendNew(d.Artifacts, ArtifactRef{Bucket: pl.ArtifactBucket, AccountID: s.AccountID, Region: s.Region})
				if t.ECS != nil {
					d.ECSServices = appendNew(d.ECSServices, ECSServiceRef{Region: t.Region, Cluster: t.ECS.Cluster, Service: t.ECS.Service})
				} else {
					d.Stacks = appendNew(d.Stacks, StackRef{Region: t.Region, Name: t.Stack})
				}
			}
			if pl.Bake == nil {
				continue
			}
			for _, r := range pl.Bake.Recipes {
				for _, t := range p.ix.ImageRecipes[r.Name].Distribution {
					a := p.ix.Accounts[t.Account]
					if a == nil || a.ID == s.AccountID {
						continue
					}
					if d := p.deployRoleOf(a.ID); d != nil {
						d.Trusted = appendNew(d.Trusted, RoleRef{AccountID: s.AccountID, Name: pl.Bake.RoleName})
					}
				}
			}
		case s.ImageRecipe != nil:
			// gitops bake publishes every AMI the recipe distributes to
			// another account through that account's deploy role, whoever
			// runs it (a pipeline's bake stage, or an operator baking the
			// cascade's base).
			for _, dist := range s.ImageRecipe.Distributions {
				for _, id := range dist.AccountIDs {
					if d := p.deployRoleOf(id); d != nil && id != s.AccountID {
						d.ImageBuilderAccountIDs = appendNew(d.ImageBuilderAccountIDs, s.AccountID)
						d.AMIParameters = appendNew(d.AMIParameters, ParameterRef{Region: dist.Region, Name: s.ImageRecipe.SSMParameter})
					}
				}
			}
		}
	}
	for _, s := range p.stacks {
		d := p.deployRoleOf(s.AccountID)
		if d == nil {
			continue
		}
		if c := s.SMTPCredentials; c != nil {
			d.SMTPCredentials = appendNew(d.SMTPCredentials, SMTPCredentialsRef{Region: s.Region, SMTPCredentials: *c})
		}
		if a := s.AcceptShare; a != nil {
			d.ShareOwnerAccountIDs = appendNew(d.ShareOwnerAccountIDs, a.OwnerAccountID)
		}
		p.grantZoneAssociation(s)
	}
	for _, s := range p.stacks {
		if d := s.DeployRole; d != nil {
			sortBy(d.Trusted, func(r RoleRef) string { return r.AccountID + "/" + r.Name })
			sortBy(d.Stacks, func(r StackRef) string { return r.Region + "/" + r.Name })
			sortBy(d.Artifacts, func(r ArtifactRef) string { return r.Bucket })
			sortBy(d.AMIParameters, func(r ParameterRef) string { return r.Region + "/" + r.Name })
			sortBy(d.ECSServices, func(r ECSServiceRef) string { return r.Region + "/" + r.Cluster + "/" + r.Service })
			slices.Sort(d.ImageBuilderAccountIDs)
			sortBy(d.SMTPCredentials, func(r SMTPCredentialsRef) string { return r.Region + "/" + r.User })
			slices.Sort(d.ShareOwnerAccountIDs)
		}
	}
}

// appendNew appends v unless list holds it already.
func appendNew[T comparable](list []T, v T) []T {
	if slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}

// sortBy sorts list by the key of each element.
func sortBy[T any](list []T, key func(T) string) {
	slices.SortFunc(list, func(a, b T) int { return strings.Compare(key(a), key(b)) })
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
