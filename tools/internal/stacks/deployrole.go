package stacks

import (
	"encoding/json"
	"slices"
	"strings"
)

// DeployRoleSpec is an account's deploy role stack: one role per duty, each
// allowed only that duty, the role CloudFormation runs change sets with,
// and the permissions boundary every role of the estate carries.
type DeployRoleSpec struct {
	// RoleName is the apply role's name here (the account's
	// deployRoleName): change sets on the estate's own stacks.
	RoleName string `json:"roleName"`
	// ExecutionRoleName is the CloudFormation service role's name.
	ExecutionRoleName string `json:"executionRoleName"`
	// BoundaryName is the permissions boundary's managed policy name.
	BoundaryName string `json:"boundaryName"`
	// Trusted are the roles that may assume the deploy role, sorted: the
	// estate's apply role (ApplyRoleName) in every tooling account. Roles
	// are named exactly: a pattern such as gitops-* would also match the
	// generated names of every role in a gitops-… stack.
	Trusted []RoleRef `json:"trusted"`
	// PlanTrusted are the plan roles (PlanRoleName) of the tooling
	// accounts, which may assume this account's plan role, sorted.
	PlanTrusted []RoleRef `json:"planTrusted"`
	// StackNamePattern limits the deploy and plan roles to the estate's
	// stacks; application stacks never match it (validate refuses a
	// target stack named gitops-…), so only their pipelines deploy them.
	StackNamePattern string `json:"stackNamePattern"`
	// Pipelines are the roles of the pipelines deploying here, one each,
	// sorted by role name.
	Pipelines []PipelineDeployRole `json:"pipelines,omitempty"`
	// Publish is the role gitops bake writes the AMI parameters through,
	// when recipes of other accounts distribute AMIs here.
	Publish *PublishRole `json:"publish,omitempty"`
	// ImageBuilderAccountIDs are the accounts that build AMIs distributed
	// here; ImageBuilder copies them in through the distribution role,
	// sorted.
	ImageBuilderAccountIDs []string `json:"imageBuilderAccountIds,omitempty"`
	// ResourceTypes are the resource types of every stack planned for the
	// account, sorted: the execution role may do what they need
	// (ResourceActions) and nothing else.
	ResourceTypes []string `json:"resourceTypes"`
	// StackNames are the names of every stack planned for the account
	// (the roles CloudFormation names after them are the estate's), sorted.
	StackNames []string `json:"stackNames"`
	// SMTPCredentials are the GitLab SMTP users and secrets apply keeps
	// current here (Stack.SMTPCredentials), sorted.
	SMTPCredentials []SMTPCredentialsRef `json:"smtpCredentials,omitempty"`
	// SMTPRole is the role SMTPCredentials are kept current through, when
	// there are any (SMTPCredentialsRoleName); it trusts Trusted.
	SMTPRole string `json:"smtpRole,omitempty"`
	// Mirrors are the mirrors planned here, sorted by name; MirrorsRole
	// is the role gitops mirrors sync reaches them through, when there
	// are any (MirrorsSyncRoleName); it trusts Trusted.
	Mirrors     []MirrorRef `json:"mirrors,omitempty"`
	MirrorsRole string      `json:"mirrorsRole,omitempty"`
	// ShareOwnerAccountIDs are the accounts whose RAM invitations apply
	// accepts here (Stack.AcceptShare), sorted.
	ShareOwnerAccountIDs []string `json:"shareOwnerAccountIds,omitempty"`
	// PrivateZones is what apply does here to associate private hosted
	// zones with VPCs of other accounts and regions (Stack.AssociateZone).
	PrivateZones *ZoneGrant `json:"privateZones,omitempty"`
	// TemplateBuckets are the account's template buckets, one per region
	// apply deploys its stacks in (this stack's and the template-bucket
	// stacks'), sorted: the deploy role may write apply/ and plan/ of each,
	// the plan role plan/ only.
	TemplateBuckets []string `json:"templateBuckets"`
}

// PipelineDeployRole is the role one pipeline's deploy actions run as in a
// target account: trusted by that pipeline's role only, allowed change
// sets on that pipeline's stacks only, so a change set of one pipeline is
// executed by its own approvals and by nothing else.
type PipelineDeployRole struct {
	Name     string  `json:"name"`
	Pipeline string  `json:"pipeline"`
	Trusted  RoleRef `json:"trusted"`
	// Stacks are the application stacks the pipeline deploys here, sorted.
	Stacks []StackRef `json:"stacks,omitempty"`
	// Artifacts is the pipeline's artifact bucket the actions read
	// (templates, image definitions).
	Artifacts ArtifactRef `json:"artifacts"`
	// ECSServices are the services its ECS deploy actions update, sorted.
	ECSServices []ECSServiceRef `json:"ecsServices,omitempty"`
}

// PublishRole is the role gitops bake publishes AMI ids through: the bake
// stages of the pipelines baking the recipes distributed here and the
// estate's apply role (an operator baking the cascade's base) may assume
// it; it may write those parameters and nothing else — no CloudFormation.
type PublishRole struct {
	Name    string    `json:"name"`
	Trusted []RoleRef `json:"trusted"`
	// AMIParameters are the parameters of the recipes distributed here
	// from other accounts, sorted.
	AMIParameters []ParameterRef `json:"amiParameters"`
}

// SMTPCredentialsRef is a GitLab SMTP user, its secret and its service.
type SMTPCredentialsRef struct {
	Region string `json:"region"`
	SMTPCredentials
}

// MirrorRef is what gitops mirrors sync touches of one mirror: the user and
// secret of a CodeCommit mirror, or the connection of a CodeConnections one.
type MirrorRef struct {
	Name   string `json:"name"`
	Region string `json:"region"`
	// User and Secret are set for a CodeCommit mirror.
	User   string `json:"user,omitempty"`
	Secret string `json:"secret,omitempty"`
	// Connection is set for a CodeConnections mirror.
	Connection string `json:"connection,omitempty"`
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
	// MaxRolePolicies is how many managed policies a role may carry:
	// IAM's default quota of managed policies per role.
	MaxRolePolicies = 10
	// BoundaryName is the permissions boundary (a managed policy) every
	// role and user of the estate carries, in each account.
	BoundaryName = "gitops-boundary"
	// PublishRoleName is the role gitops bake writes AMI parameters
	// through in the accounts the AMIs are distributed to.
	PublishRoleName = "gitops-ami-publish"
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
			BoundaryName:      BoundaryName,
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

// PipelineDeployRoleName is the role a pipeline's deploy actions assume in
// each target account.
func PipelineDeployRoleName(pipeline string) string { return "gitops-deploy-" + pipeline }

// grantDeployRoles gives each account's deploy role stack what the
// pipelines, image recipes and stacks planned there need: a deploy role
// per pipeline deploying there, the publish role where AMIs arrive from
// other accounts, and the resource types the execution role creates.
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
				i := slices.IndexFunc(d.Pipelines, func(r PipelineDeployRole) bool { return r.Name == t.DeployRole })
				if i < 0 {
					d.Pipelines = append(d.Pipelines, PipelineDeployRole{
						Name: t.DeployRole, Pipeline: pl.Name,
						Trusted:   RoleRef{AccountID: s.AccountID, Name: pl.RoleName},
						Artifacts: ArtifactRef{Bucket: pl.ArtifactBucket, AccountID: s.AccountID, Region: s.Region},
					})
					i = len(d.Pipelines) - 1
				}
				r := &d.Pipelines[i]
				if t.ECS != nil {
					r.ECSServices = appendNew(r.ECSServices, ECSServiceRef{Region: t.Region, Cluster: t.ECS.Cluster, Service: t.ECS.Service})
				} else {
					r.Stacks = appendNew(r.Stacks, StackRef{Region: t.Region, Name: t.Stack})
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
						pr := d.publishRole()
						pr.Trusted = appendNew(pr.Trusted, RoleRef{AccountID: s.AccountID, Name: pl.Bake.RoleName})
					}
				}
			}
		case s.ImageRecipe != nil:
			// gitops bake publishes every AMI the recipe distributes to
			// another account through that account's publish role, whoever
			// runs it (a pipeline's bake stage, or an operator baking the
			// cascade's base).
			for _, dist := range s.ImageRecipe.Distributions {
				for _, id := range dist.AccountIDs {
					if d := p.deployRoleOf(id); d != nil && id != s.AccountID {
						d.ImageBuilderAccountIDs = appendNew(d.ImageBuilderAccountIDs, s.AccountID)
						pr := d.publishRole()
						pr.AMIParameters = appendNew(pr.AMIParameters, ParameterRef{Region: dist.Region, Name: s.ImageRecipe.SSMParameter})
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
		for _, t := range kindResourceTypes[s.Kind] {
			d.ResourceTypes = appendNew(d.ResourceTypes, t)
		}
		d.StackNames = appendNew(d.StackNames, s.Name)
		if c := s.SMTPCredentials; c != nil {
			d.SMTPCredentials = appendNew(d.SMTPCredentials, SMTPCredentialsRef{Region: s.Region, SMTPCredentials: *c})
		}
		if a := s.AcceptShare; a != nil {
			d.ShareOwnerAccountIDs = appendNew(d.ShareOwnerAccountIDs, a.OwnerAccountID)
		}
		p.grantZoneAssociation(s)
	}
	for _, m := range NewOperations(p.e).Mirrors {
		a := p.ix.Accounts[m.Account]
		if a == nil {
			continue
		}
		d := p.deployRoleOf(a.ID)
		if d == nil {
			continue
		}
		r := MirrorRef{Name: m.Name, Region: m.Region}
		if c := m.CodeCommit; c != nil {
			r.User, r.Secret = c.User, c.Secret
		}
		if c := m.CodeConnections; c != nil {
			r.Connection = c.Connection
		}
		d.Mirrors = append(d.Mirrors, r)
		d.MirrorsRole = MirrorsSyncRoleName()
	}
	buckets := p.templateBuckets()
	for _, s := range p.stacks {
		if d := s.DeployRole; d != nil {
			d.TemplateBuckets = buckets[s.AccountID]
			if len(d.SMTPCredentials) > 0 {
				d.SMTPRole = SMTPCredentialsRoleName()
			}
			sortBy(d.Mirrors, func(r MirrorRef) string { return r.Name })
			sortBy(d.Trusted, func(r RoleRef) string { return r.AccountID + "/" + r.Name })
			sortBy(d.Pipelines, func(r PipelineDeployRole) string { return r.Name })
			for i := range d.Pipelines {
				sortBy(d.Pipelines[i].Stacks, func(r StackRef) string { return r.Region + "/" + r.Name })
				sortBy(d.Pipelines[i].ECSServices, func(r ECSServiceRef) string { return r.Region + "/" + r.Cluster + "/" + r.Service })
			}
			if pr := d.Publish; pr != nil {
				pr.Trusted = appendNew(pr.Trusted, d.Trusted...)
				sortBy(pr.Trusted, func(r RoleRef) string { return r.AccountID + "/" + r.Name })
				sortBy(pr.AMIParameters, func(r ParameterRef) string { return r.Region + "/" + r.Name })
			}
			slices.Sort(d.ImageBuilderAccountIDs)
			slices.Sort(d.ResourceTypes)
			slices.Sort(d.StackNames)
			sortBy(d.SMTPCredentials, func(r SMTPCredentialsRef) string { return r.Region + "/" + r.User })
			slices.Sort(d.ShareOwnerAccountIDs)
		}
	}
}

// publishRole returns the account's publish role, made on first use.
func (d *DeployRoleSpec) publishRole() *PublishRole {
	if d.Publish == nil {
		d.Publish = &PublishRole{Name: PublishRoleName}
	}
	return d.Publish
}

// appendNew appends each v unless list holds it already.
func appendNew[T comparable](list []T, vs ...T) []T {
	for _, v := range vs {
		if !slices.Contains(list, v) {
			list = append(list, v)
		}
	}
	return list
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

// MaxTrustPolicy is IAM's default limit on a role's trust policy, in
// characters without white space.
const MaxTrustPolicy = 2048

// TrustPolicySize is the size IAM counts of the trust policy synth writes
// for a role trusting roles: the accounts' roots as principals, the roles'
// ARNs in an aws:PrincipalArn condition (in the aws partition).
func TrustPolicySize(roles []RoleRef) int {
	var principals, trusted []string
	for _, r := range roles {
		root := "arn:aws:iam::" + r.AccountID + ":root"
		if !slices.Contains(principals, root) {
			principals = append(principals, root)
		}
		trusted = append(trusted, "arn:aws:iam::"+r.AccountID+":role/"+r.Name)
	}
	out, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect":    "Allow",
		"Principal": map[string]any{"AWS": principals},
		"Action":    "sts:AssumeRole",
		"Condition": map[string]any{"ArnEquals": map[string]any{"aws:PrincipalArn": trusted}},
	}}})
	if err != nil {
		panic(err) // strings only
	}
	return len(out)
}

// EstateNamePrefixes are the name patterns of the account's IAM roles,
// users and instance profiles: the fixed gitops-… names, the names
// CloudFormation generates from each stack's name, ImageBuilder's fixed
// distribution role name; sorted, each once.
func EstateNamePrefixes(spec *DeployRoleSpec) []string {
	out := []string{"gitops-*", DistributionRoleName}
	for _, n := range spec.StackNames {
		if !strings.HasPrefix(n, "gitops-") {
			out = append(out, n+"-*")
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// ExecutionPolicies is, from above, how many managed policies the
// execution role of account accountID needs (synth packs its statements
// into policies of at most 6,144 characters): the actions of the planned
// resource types, and each estate name prefix as a role, user and
// instance profile ARN in the statements that name them, plus the fixed
// statements; every policy is filled to at least 5,000 characters.
func ExecutionPolicies(spec *DeployRoleSpec, accountID string) int {
	size := 4000
	for _, a := range ExecutionActions(spec.ResourceTypes) {
		size += len(a) + 3
	}
	arn := func(kind, name string) int { return len("arn:aws-us-gov:iam::"+accountID+":"+kind+"/"+name) + 3 }
	for _, p := range EstateNamePrefixes(spec) {
		size += 3*arn("role", p) + 3*arn("user", p) + arn("instance-profile", p)
	}
	return (size + 4999) / 5000
}
