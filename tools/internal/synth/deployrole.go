package synth

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"

	"gitops/tools/internal/stacks"
)

// deployRole builds the account's roles, one per duty, each allowed only
// its duty and each under the account's permissions boundary:
//
//   - the deploy role: change sets on the estate's own stacks (apply);
//   - the plan role: create, read and delete change sets, never execute;
//   - a deploy role per pipeline deploying here: change sets on that
//     pipeline's stacks only, assumed by that pipeline only;
//   - the publish role: gitops bake's writes of AMI parameters;
//   - ImageBuilder's distribution role where other accounts' AMIs arrive;
//   - the CloudFormation execution role: what the resource types planned
//     for the account need, IAM only under the boundary.
func (b *builder) deployRole(spec *stacks.DeployRoleSpec) error {
	boundary := b.boundaryPolicy(spec)
	b.boundary = boundary.Ref()
	exec, err := b.executionRole(spec)
	if err != nil {
		return err
	}
	passExec := withCondition(
		statement("Allow", []string{"iam:PassRole"}, exec.AttrArn()),
		map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "cloudformation.amazonaws.com"}})

	estateStacks := b.arnAnyRegion("cloudformation", "stack/"+spec.StackNamePattern+"/*")
	applyStatements := []map[string]any{
		statement("Allow", append(planActions, "cloudformation:ExecuteChangeSet", "cloudformation:ContinueUpdateRollback"), estateStacks),
		// apply deletes a new stack that failed (ROLLBACK_COMPLETE)
		// before creating it again; stateful resources are retained.
		statement("Allow", []string{"cloudformation:DeleteStack"}, estateStacks),
		statement("Allow", []string{"cloudformation:ValidateTemplate"}, "*"),
		// apply copies a pinned GitLab image into the estate's ECR
		// repositories (gitops-<service>/…) and nowhere else.
		statement("Allow", []string{"ecr:GetAuthorizationToken"}, "*"),
		statement("Allow", []string{
			"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:DescribeImages",
			"ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage",
		}, b.arnAnyRegion("ecr", "repository/gitops-*")),
		passExec,
	}
	// apply uploads templates too large to send inline to the account's
	// template bucket of the stack's region; the buckets' policies grant
	// the same.
	applyStatements = append(applyStatements, b.templateUploads(spec, true)...)
	deploy := awsiam.NewCfnRole(b.st, id("DeployRole"), &awsiam.CfnRoleProps{
		RoleName:                 str(spec.RoleName),
		Description:              str("gitops apply deploys the estate's own stacks through this role"),
		AssumeRolePolicyDocument: b.trustRoles(spec.Trusted),
		Policies: &[]any{&awsiam.CfnRole_PolicyProperty{
			PolicyName:     str("run-change-sets"),
			PolicyDocument: policy(append(append(applyStatements, b.applyGrants(spec)...), b.privateZoneGrants(spec.PrivateZones)...)...),
		}},
	})
	acknowledge(deploy, "IAM5", "CloudFormation validates templates and ECR hands out login tokens on * only (no resource-level permissions); RAM lists invitations on * and accepts them only from the share owners the plan names; Route 53 private zone associations are on hostedzone/* (the zone id exists only after this stack) limited by route53:VPCs to the planned regions, and ec2:DescribeVpcs takes no resource; the change sets and images are limited to the estate's gitops-… names, and the template uploads to the apply/ and plan/ folders of the account's own template buckets, whose objects apply names by the template's digest.")

	if len(spec.PlanTrusted) > 0 {
		plan := awsiam.NewCfnRole(b.st, id("PlanRole"), &awsiam.CfnRoleProps{
			RoleName:                 str(stacks.PlanRoleName),
			Description:              str("Merge-request CI plans the estate's change sets through this role; it cannot execute them"),
			AssumeRolePolicyDocument: b.trustRoles(spec.PlanTrusted),
			Policies: &[]any{&awsiam.CfnRole_PolicyProperty{
				PolicyName: str("plan-change-sets"),
				PolicyDocument: policy(append([]map[string]any{
					statement("Allow", planActions, estateStacks),
					statement("Allow", []string{"cloudformation:ValidateTemplate"}, "*"),
					// A change set names the role CloudFormation will run it
					// with; naming it is not running it.
					passExec,
					statement("Deny", []string{
						"cloudformation:ExecuteChangeSet", "cloudformation:UpdateStack", "cloudformation:CreateStack",
						"cloudformation:DeleteStack", "cloudformation:ContinueUpdateRollback",
					}, "*"),
					// Large templates go to plan/ only (templateUploads):
					// apply/ holds what an apply makes its change sets from.
				}, b.templateUploads(spec, false)...)...),
			}},
		})
		acknowledge(plan, "IAM5", "CloudFormation validates templates on * only (no resource-level permissions); change sets are limited to the estate's gitops-* stacks, and execution is denied on every stack; template uploads go to the plan/ folder of the account's own template buckets, whose objects plan names by the template's digest.")
	}
	for _, p := range spec.Pipelines {
		b.pipelineDeployRole(p, passExec)
	}
	if spec.Publish != nil {
		if err := b.publishRole(spec.Publish); err != nil {
			return err
		}
	}
	if spec.SMTPRole != "" {
		if err := b.smtpRole(spec); err != nil {
			return err
		}
	}
	if spec.MirrorsRole != "" {
		if err := b.mirrorsRole(spec); err != nil {
			return err
		}
	}
	if len(spec.ImageBuilderAccountIDs) > 0 {
		var builders, serviceRoles []any
		for _, a := range spec.ImageBuilderAccountIDs {
			builders = append(builders, b.globalARN("iam", a, "root"))
			serviceRoles = append(serviceRoles, b.globalARN("iam", a, "role/aws-service-role/imagebuilder.amazonaws.com/AWSServiceRoleForImageBuilder"))
		}
		dist := awsiam.NewCfnRole(b.st, id("DistributionRole"), &awsiam.CfnRoleProps{
			RoleName:    str(stacks.DistributionRoleName),
			Description: str("ImageBuilder in the accounts building the estate's AMIs copies them into this account"),
			// Only ImageBuilder's service-linked role in the building accounts,
			// not any principal there allowed sts:AssumeRole on *.
			AssumeRolePolicyDocument: policy(map[string]any{
				"Effect": "Allow", "Principal": map[string]any{"AWS": builders}, "Action": "sts:AssumeRole",
				"Condition": map[string]any{"ArnEquals": map[string]any{"aws:PrincipalArn": serviceRoles}},
			}),
			ManagedPolicyArns: &[]any{b.awsManagedPolicy("Ec2ImageBuilderCrossAccountDistributionAccess")},
		})
		acknowledge(dist, "IAM4", "ImageBuilder's cross-account distribution requires this role to hold AWS's Ec2ImageBuilderCrossAccountDistributionAccess policy, which AWS keeps current with the actions a copy needs.")
	}
	return nil
}

// templateUploads let a role write and read the objects of the account's
// template buckets that a plan uploads (plan/) or, with apply, an apply
// too (apply/ and plan/); none without buckets.
func (b *builder) templateUploads(spec *stacks.DeployRoleSpec, apply bool) []map[string]any {
	var objects []any
	for _, bucket := range spec.TemplateBuckets {
		if apply {
			objects = append(objects, b.globalARN("s3", "", bucket+"/"+stacks.TemplatePrefix(true)+"*"))
		}
		objects = append(objects, b.globalARN("s3", "", bucket+"/"+stacks.TemplatePrefix(false)+"*"))
	}
	if len(objects) == 0 {
		return nil
	}
	return []map[string]any{statement("Allow", []string{"s3:PutObject", "s3:GetObject"}, objects...)}
}

// planActions read the estate's stacks and create and delete change sets.
var planActions = []string{
	"cloudformation:CreateChangeSet", "cloudformation:DeleteChangeSet",
	"cloudformation:DescribeChangeSet", "cloudformation:ListChangeSets",
	"cloudformation:DescribeStacks", "cloudformation:DescribeStackEvents",
	"cloudformation:GetTemplate", "cloudformation:GetTemplateSummary",
}

// pipelineDeployRole is one pipeline's role in a target account: its
// change sets, its artifacts, its ECS services; assumed by that pipeline's
// role alone, so its approvals guard every execution.
func (b *builder) pipelineDeployRole(p stacks.PipelineDeployRole, passExec map[string]any) {
	var statements []map[string]any
	if len(p.Stacks) > 0 {
		var stackARNs []any
		for _, s := range p.Stacks {
			stackARNs = append(stackARNs, b.arnIn("cloudformation", s.Region, "stack/"+s.Name+"/*"))
		}
		statements = append(statements,
			statement("Allow", append(planActions, "cloudformation:ExecuteChangeSet"), stackARNs...),
			passExec)
	}
	// The deploy actions read the templates and image definitions,
	// encrypted with the pipeline's key, through S3 only.
	a := p.Artifacts
	statements = append(statements,
		statement("Allow", []string{"s3:GetObject", "s3:GetObjectVersion"}, b.globalARN("s3", "", a.Bucket+"/*")),
		withCondition(statement("Allow", []string{"kms:Decrypt", "kms:DescribeKey"}, b.partitionARN("kms:"+a.Region+":"+a.AccountID+":key/*")), map[string]any{"StringEquals": map[string]any{"kms:ViaService": "s3." + a.Region + ".amazonaws.com"}}),
	)
	if len(p.ECSServices) > 0 {
		var svcs []any
		for _, s := range p.ECSServices {
			svcs = append(svcs, b.arnIn("ecs", s.Region, "service/"+s.Cluster+"/"+s.Service))
		}
		statements = append(statements,
			statement("Allow", []string{"ecs:DescribeServices", "ecs:UpdateService"}, svcs...),
			statement("Allow", []string{"ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition"}, "*"),
			withCondition(statement("Allow", []string{"iam:PassRole"}, b.globalARN("iam", b.spec.AccountID, "role/*")),
				map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "ecs-tasks.amazonaws.com"}}),
		)
	}
	role := awsiam.NewCfnRole(b.st, id("Deploy", stacks.Pascal(p.Pipeline), "Role"), &awsiam.CfnRoleProps{
		RoleName:                 str(p.Name),
		Description:              str("Pipeline " + p.Pipeline + " deploys its targets in this account through this role, after its approvals"),
		AssumeRolePolicyDocument: b.trustRoles([]stacks.RoleRef{p.Trusted}),
		Policies: &[]any{&awsiam.CfnRole_PolicyProperty{
			PolicyName: str("deploy-" + p.Pipeline), PolicyDocument: policy(statements...),
		}},
	})
	acknowledge(role, "IAM5", "The artifact objects are named by CodePipeline per execution (bucket/*) and the artifact key by id (key/*, used only through S3); ECS registers task definitions on * and the ECS deploy passes the service's own task roles, which only ecs-tasks may receive.")
}

// publishRole lets gitops bake write the AMI parameters distributed here,
// and nothing else.
func (b *builder) publishRole(p *stacks.PublishRole) error {
	var params []any
	for _, prm := range p.AMIParameters {
		params = append(params, b.arnIn("ssm", prm.Region, "parameter"+prm.Name))
	}
	inline, managed, err := b.rolePolicies("PublishRole", p.Name, "publish-amis", []map[string]any{
		statement("Allow", []string{"ssm:GetParameter", "ssm:LabelParameterVersion", "ssm:PutParameter"}, params...),
		// SSM checks an aws:ec2:image value with the writer's rights.
		statement("Allow", []string{"ec2:DescribeImages"}, "*"),
	}, "ec2:DescribeImages has no resource-level permissions; SSM calls it with the writer's rights to check an aws:ec2:image value.")
	if err != nil {
		return err
	}
	role := awsiam.NewCfnRole(b.st, id("PublishRole"), &awsiam.CfnRoleProps{
		RoleName:                 str(p.Name),
		Description:              str("gitops bake writes the AMI ids of the recipes distributed here through this role"),
		AssumeRolePolicyDocument: b.trustRoles(p.Trusted),
		Policies:                 inline,
		ManagedPolicyArns:        managed,
	})
	if inline != nil {
		acknowledge(role, "IAM5", "ec2:DescribeImages has no resource-level permissions; SSM calls it with the writer's rights to check an aws:ec2:image value.", "Resource::*")
	}
	return nil
}

// secretARN is a Secrets Manager secret's ARN: its name and the six
// characters Secrets Manager appends (a "-*" would also match the secret of
// a name that merely starts with this one).
func (b *builder) secretARN(region, name string) any {
	return b.arnIn("secretsmanager", region, "secret:"+name+"-??????")
}

// smtpRole keeps GitLab's SES SMTP credentials current: the SMTP user's
// access keys, its secret and GitLab's service, of the GitLabs here only.
func (b *builder) smtpRole(spec *stacks.DeployRoleSpec) error {
	var statements []map[string]any
	for _, c := range spec.SMTPCredentials {
		statements = append(statements,
			statement("Allow", []string{"iam:ListAccessKeys", "iam:CreateAccessKey", "iam:DeleteAccessKey"}, b.globalARN("iam", b.spec.AccountID, "user/"+c.User)),
			statement("Allow", []string{"secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"}, b.secretARN(c.Region, c.Secret)),
			statement("Allow", []string{"ecs:DescribeServices", "ecs:UpdateService"}, b.arnIn("ecs", c.Region, "service/"+c.Cluster+"/"+c.Service)),
		)
	}
	inline, managed, err := b.rolePolicies("SmtpCredentialsRole", spec.SMTPRole, "smtp-credentials", statements, "")
	if err != nil {
		return err
	}
	awsiam.NewCfnRole(b.st, id("SmtpCredentialsRole"), &awsiam.CfnRoleProps{
		RoleName:                 str(spec.SMTPRole),
		Description:              str("gitops gitlab smtp-credentials and apply keep GitLab's SES SMTP credentials current through this role"),
		AssumeRolePolicyDocument: b.trustRoles(spec.Trusted),
		Policies:                 inline,
		ManagedPolicyArns:        managed,
	})
	return nil
}

// mirrorsRole lets gitops mirrors sync keep the mirrors' Git credentials
// current: the CodeCommit mirror users' service-specific credentials and
// their secrets, and the status of the CodeConnections mirrors'
// connections, of the mirrors here only.
func (b *builder) mirrorsRole(spec *stacks.DeployRoleSpec) error {
	var statements []map[string]any
	var users, secrets []any
	connections := false
	for _, m := range spec.Mirrors {
		if m.User != "" {
			users = append(users, b.globalARN("iam", b.spec.AccountID, "user/"+m.User))
			secrets = append(secrets, b.secretARN(m.Region, m.Secret))
		}
		connections = connections || m.Connection != ""
	}
	if len(users) > 0 {
		// One statement for all users and one for all secrets: a pair per
		// mirror repeats the actions, and outgrows IAM's 10,240
		// characters of a role's inline policies at twenty mirrors.
		statements = append(statements,
			statement("Allow", []string{
				"iam:GetUser", "iam:ListServiceSpecificCredentials", "iam:CreateServiceSpecificCredential",
				"iam:DeleteServiceSpecificCredential", "iam:ResetServiceSpecificCredential",
			}, users...),
			statement("Allow", []string{
				"secretsmanager:GetSecretValue", "secretsmanager:CreateSecret", "secretsmanager:PutSecretValue",
			}, secrets...),
		)
	}
	reason := ""
	if connections {
		statements = append(statements, statement("Allow", []string{"codeconnections:ListConnections"}, "*"))
		reason = "codeconnections:ListConnections has no resource-level permissions; it reads the connections' status only."
	}
	inline, managed, err := b.rolePolicies("MirrorsSyncRole", spec.MirrorsRole, "mirrors-sync", statements, reason)
	if err != nil {
		return err
	}
	role := awsiam.NewCfnRole(b.st, id("MirrorsSyncRole"), &awsiam.CfnRoleProps{
		RoleName:                 str(spec.MirrorsRole),
		Description:              str("gitops mirrors sync keeps the mirrors' Git credentials current through this role"),
		AssumeRolePolicyDocument: b.trustRoles(spec.Trusted),
		Policies:                 inline,
		ManagedPolicyArns:        managed,
	})
	if connections && inline != nil {
		acknowledge(role, "IAM5", reason, "Resource::*")
	}
	return nil
}

// maxRoleInlineSize is IAM's limit on a role's inline policies, in
// characters without white space, all of them together.
const maxRoleInlineSize = 10240

// rolePolicies returns a role's statements as one inline policy named name
// when they fit IAM's limit on a role's inline policies, else as managed
// policies <roleName>-1, -2, … of the deploy role stack (which an
// administrator deploys: estate principals may not create policies),
// acknowledging IAM5 on them for reason when it is given.
func (b *builder) rolePolicies(roleID, roleName, name string, statements []map[string]any, reason string) (inline, managed *[]any, err error) {
	if len(statements) == 0 {
		return nil, nil, nil
	}
	if b.policySize(statements) <= maxRoleInlineSize {
		return &[]any{&awsiam.CfnRole_PolicyProperty{PolicyName: str(name), PolicyDocument: policy(statements...)}}, nil, nil
	}
	managed, err = b.managedPolicies(roleID, roleName, roleName, statements, reason)
	return nil, managed, err
}

// managedPolicies packs a role's statements into managed policies
// <roleName>-1, -2, … (logical ids <roleID>Policy1, …) of at most IAM's
// 6,144 characters, described as part of what the role (what) may do, and
// returns their ARNs; IAM5 is acknowledged on them for reason when given.
func (b *builder) managedPolicies(roleID, roleName, what string, statements []map[string]any, reason string) (*[]any, error) {
	docs := packStatements(statements, b.policySize)
	if len(docs) > stacks.MaxRolePolicies {
		return nil, fmt.Errorf("role %s needs %d managed policies of %d characters; IAM attaches at most %d to a role",
			roleName, len(docs), maxManagedPolicySize, stacks.MaxRolePolicies)
	}
	var arns []any
	for i, doc := range docs {
		p := awsiam.NewCfnManagedPolicy(b.st, id(fmt.Sprintf("%sPolicy%d", roleID, i+1)), &awsiam.CfnManagedPolicyProps{
			ManagedPolicyName: str(fmt.Sprintf("%s-%d", roleName, i+1)),
			Description:       str(fmt.Sprintf("Part %d of what %s may do", i+1, what)),
			PolicyDocument:    policy(doc...),
		})
		if reason != "" {
			acknowledge(p, "IAM5", reason)
		}
		arns = append(arns, b.ref(p))
	}
	return &arns, nil
}

// boundaryPolicy is the account's permissions boundary, which every role
// and user of the estate carries: it allows the services the estate uses,
// and denies what would escape it — a role or user without it, removing
// it, changing it, attaching a managed policy other than the few the
// estate uses (never AdministratorAccess).
func (b *builder) boundaryPolicy(spec *stacks.DeployRoleSpec) awsiam.CfnManagedPolicy {
	self := b.globalARN("iam", b.spec.AccountID, "policy/"+spec.BoundaryName)
	var allowed []string
	for _, svc := range stacks.BoundaryServices() {
		allowed = append(allowed, svc+":*")
	}
	var attachable []any
	for _, p := range stacks.AWSManagedPolicies {
		attachable = append(attachable, b.awsManagedPolicy(p))
	}
	p := awsiam.NewCfnManagedPolicy(b.st, id("Boundary"), &awsiam.CfnManagedPolicyProps{
		ManagedPolicyName: str(spec.BoundaryName),
		Description:       str("The most any role or user of the gitops estate may do in this account"),
		PolicyDocument: policy(
			withSid("Services", statement("Allow", allowed, "*")),
			withSid("IAM", statement("Allow", []string{"iam:*"}, "*")),
			withSid("NoPrincipalWithoutBoundary", withCondition(statement("Deny", boundaryActions, "*"),
				map[string]any{"StringNotEquals": map[string]any{"iam:PermissionsBoundary": self}})),
			withSid("KeepBoundary", statement("Deny", []string{
				"iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary",
			}, "*")),
			withSid("NoPolicyChanges", statement("Deny", []string{
				"iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion",
				"iam:SetDefaultPolicyVersion",
			}, "*")),
			withSid("OnlyEstateManagedPolicies", withCondition(statement("Deny", []string{
				"iam:AttachRolePolicy", "iam:AttachUserPolicy", "iam:AttachGroupPolicy",
			}, "*"), map[string]any{"ArnNotEquals": map[string]any{"iam:PolicyARN": attachable}})),
			withSid("NoGroupsNoConsole", statement("Deny", []string{
				"iam:CreateGroup", "iam:AddUserToGroup", "iam:PutGroupPolicy", "iam:CreateLoginProfile",
				"iam:UpdateLoginProfile", "iam:CreateSAMLProvider", "iam:CreateOpenIDConnectProvider",
			}, "*")),
		),
	})
	acknowledge(p, "IAM5", "A permissions boundary grants nothing by itself: it caps every estate role at these services, and its explicit denies keep IAM under the boundary; each role's own policy is what grants.")
	return p
}

// boundaryActions create or change a role or user, or its policies: each
// needs the principal to carry the boundary (the iam:PermissionsBoundary
// condition key of these actions).
var boundaryActions = []string{
	"iam:CreateRole", "iam:CreateUser", "iam:PutRolePermissionsBoundary", "iam:PutUserPermissionsBoundary",
	"iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy",
	"iam:PutUserPolicy", "iam:DeleteUserPolicy", "iam:AttachUserPolicy", "iam:DetachUserPolicy",
}

// executionRole is the CloudFormation service role: the actions of the
// resource types planned for the account, and IAM roles, users and
// instance profiles of the estate's names, created under the boundary.
func (b *builder) executionRole(spec *stacks.DeployRoleSpec) (awsiam.CfnRole, error) {
	var roles, users, profiles []any
	for _, prefix := range stacks.EstateNamePrefixes(spec) {
		roles = append(roles, b.globalARN("iam", b.spec.AccountID, "role/"+prefix))
		users = append(users, b.globalARN("iam", b.spec.AccountID, "user/"+prefix))
		profiles = append(profiles, b.globalARN("iam", b.spec.AccountID, "instance-profile/"+prefix))
	}
	principals := append(slices.Clone(roles), users...)
	var attachable []any
	for _, p := range stacks.AWSManagedPolicies {
		attachable = append(attachable, b.awsManagedPolicy(p))
	}
	underBoundary := map[string]any{"StringEquals": map[string]any{"iam:PermissionsBoundary": b.boundaryARN()}}
	self := b.globalARN("iam", b.spec.AccountID, "role/"+spec.ExecutionRoleName)
	statements := []map[string]any{}
	if actions := stacks.ExecutionActions(spec.ResourceTypes); len(actions) > 0 {
		// CloudFormation names most resources itself, so their ARNs are
		// not known before they exist.
		statements = append(statements, withSid("PlannedResourceTypes", statement("Allow", actions, "*")))
	}
	statements = append(statements,
		withSid("RolesAndUsersUnderBoundary", withCondition(statement("Allow", []string{
			"iam:CreateRole", "iam:CreateUser", "iam:PutRolePermissionsBoundary", "iam:PutUserPermissionsBoundary",
			"iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:DetachRolePolicy",
			"iam:PutUserPolicy", "iam:DeleteUserPolicy", "iam:DetachUserPolicy",
		}, principals...), underBoundary)),
		withSid("EstateManagedPolicies", withCondition(statement("Allow", []string{"iam:AttachRolePolicy", "iam:AttachUserPolicy"}, principals...),
			map[string]any{
				"StringEquals": map[string]any{"iam:PermissionsBoundary": b.boundaryARN()},
				"ArnEquals":    map[string]any{"iam:PolicyARN": attachable},
			})),
		withSid("EstateRolesAndUsers", statement("Allow", []string{
			"iam:GetRole", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies",
			"iam:UpdateRole", "iam:UpdateRoleDescription", "iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:UntagRole",
			"iam:ListRoleTags", "iam:DeleteRole", "iam:PassRole",
			"iam:GetUser", "iam:GetUserPolicy", "iam:ListUserPolicies", "iam:ListAttachedUserPolicies",
			"iam:TagUser", "iam:UntagUser", "iam:ListUserTags", "iam:DeleteUser",
			"iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys", "iam:UpdateAccessKey",
		}, principals...)),
		withSid("EstateInstanceProfiles", statement("Allow", []string{
			"iam:CreateInstanceProfile", "iam:DeleteInstanceProfile", "iam:GetInstanceProfile",
			"iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:TagInstanceProfile",
			"iam:UntagInstanceProfile",
		}, profiles...)),
		withSid("ServiceLinkedRoles", withCondition(statement("Allow", []string{"iam:CreateServiceLinkedRole"},
			b.globalARN("iam", b.spec.AccountID, "role/aws-service-role/*")),
			map[string]any{"StringEquals": map[string]any{"iam:AWSServiceName": stacks.ServiceLinkedRoleServices}})),
		// The execution role cannot widen itself, its policies or its
		// boundary, nor touch the role apply runs as: an administrator
		// changes those, deploying this stack with their own rights.
		withSid("NotItselfNorApply", statement("Deny", []string{"iam:*"},
			self, b.globalARN("iam", b.spec.AccountID, "policy/"+spec.ExecutionRoleName+"-*"),
			b.globalARN("iam", b.spec.AccountID, "role/"+stacks.ApplyRoleName),
			b.globalARN("iam", b.spec.AccountID, "policy/"+spec.BoundaryName))),
	)
	// IAM caps a role's inline policies at 10,240 characters in all, which
	// an account planning most resource types outgrows: the statements go
	// into managed policies of at most 6,144 characters each instead.
	attached, err := b.managedPolicies("Execution", spec.ExecutionRoleName, "CloudFormation's gitops execution role", statements,
		"CloudFormation creates the account's planned resources, whose names and ids it generates, so their actions are on *; the actions are only those the planned resource types need, and IAM is limited to the estate's names under the permissions boundary.")
	if err != nil {
		return nil, fmt.Errorf("the execution role of account %s: %v", b.spec.AccountID, err)
	}
	exec := awsiam.NewCfnRole(b.st, id("ExecutionRole"), &awsiam.CfnRoleProps{
		RoleName:                 str(spec.ExecutionRoleName),
		Description:              str("CloudFormation runs the gitops change sets with this role: what the account's planned resource types need"),
		AssumeRolePolicyDocument: serviceTrust("cloudformation.amazonaws.com", b.spec.AccountID),
		ManagedPolicyArns:        attached,
	})
	return exec, nil
}

// awsManagedPolicy is the ARN of an AWS managed policy.
func (b *builder) awsManagedPolicy(name string) *string {
	return b.globalARN("iam", "aws", "policy/"+name)
}

// arnAnyRegion builds an ARN of this account matching every region.
func (b *builder) arnAnyRegion(service, resource string) *string {
	return b.partitionARN(service + ":*:" + b.spec.AccountID + ":" + resource)
}

// trustRoles lets exactly the named roles assume a role. The accounts are
// the principals and the roles a condition, so the trust holds before the
// roles exist; the names are exact, because a pattern such as gitops-*
// would match every generated role name of a gitops-… stack too.
func (b *builder) trustRoles(roles []stacks.RoleRef) any {
	var principals, trusted []any
	var accounts []string
	for _, r := range roles {
		if !slices.Contains(accounts, r.AccountID) {
			accounts = append(accounts, r.AccountID)
			principals = append(principals, b.globalARN("iam", r.AccountID, "root"))
		}
		trusted = append(trusted, b.globalARN("iam", r.AccountID, "role/"+r.Name))
	}
	return policy(map[string]any{
		"Effect":    "Allow",
		"Principal": map[string]any{"AWS": principals},
		"Action":    "sts:AssumeRole",
		"Condition": map[string]any{"ArnEquals": map[string]any{"aws:PrincipalArn": trusted}},
	})
}

// applyGrants lets apply do its steps between stacks here: accept the RAM
// invitations of the declared share owners. (GitLab's SMTP credentials have
// their own role, smtpRole.)
func (b *builder) applyGrants(spec *stacks.DeployRoleSpec) []map[string]any {
	var out []map[string]any
	if len(spec.ShareOwnerAccountIDs) > 0 {
		out = append(out,
			statement("Allow", []string{"ram:GetResourceShareInvitations"}, "*"),
			withCondition(statement("Allow", []string{"ram:AcceptResourceShareInvitation"}, "*"),
				map[string]any{"StringEquals": map[string]any{"ram:ShareOwnerAccountId": spec.ShareOwnerAccountIDs}}),
		)
	}
	return out
}

// privateZoneGrants let apply associate private hosted zones with VPCs of
// other accounts and regions (stacks.ZoneAssociation). The zone's id is
// known only once its stack is deployed, after this role, so the zone is
// hostedzone/*; the route53:VPCs condition limits the VPCs to the regions
// the manifest names. In the zone's account: authorize and withdraw the
// associations, read the zone, disassociate what the estate no longer lists
// (a VPC of any region: one the estate dropped may be in a region it no
// longer names). In a VPC's account: associate that region's VPCs; Route 53
// checks the VPC with ec2:DescribeVpcs, which takes no resource.
func (b *builder) privateZoneGrants(g *stacks.ZoneGrant) []map[string]any {
	if g == nil {
		return nil
	}
	zones := b.globalARN("route53", "", "hostedzone/*")
	inRegions := func(regions []string) map[string]any {
		vpcs := make([]string, len(regions))
		for i, r := range regions {
			vpcs[i] = "VPCId=*,VPCRegion=" + r
		}
		return map[string]any{"ForAllValues:StringLike": map[string]any{"route53:VPCs": vpcs}}
	}
	out := []map[string]any{
		statement("Allow", []string{"route53:GetHostedZone", "route53:DisassociateVPCFromHostedZone"}, zones),
	}
	if len(g.OwnerRegions) > 0 {
		out = append(out, withCondition(statement("Allow", []string{
			"route53:CreateVPCAssociationAuthorization", "route53:DeleteVPCAssociationAuthorization",
		}, zones), inRegions(g.OwnerRegions)))
	}
	if len(g.VPCRegions) > 0 {
		out = append(out,
			withCondition(statement("Allow", []string{"route53:AssociateVPCWithHostedZone"}, zones), inRegions(g.VPCRegions)),
			statement("Allow", []string{"ec2:DescribeVpcs"}, "*"),
		)
	}
	return out
}

// maxManagedPolicySize is IAM's limit on a managed policy document, in
// characters without white space.
const maxManagedPolicySize = 6144

// policySize is the size IAM counts of a policy holding statements: its
// JSON without white space, the partition at its longest (aws-us-gov) and
// any other CDK token (a reference, such as the boundary's ARN) as
// maxTokenValue characters.
func (b *builder) policySize(statements []map[string]any) int {
	out, err := json.Marshal(policy(statements...))
	if err != nil {
		panic(err) // statements are maps of strings
	}
	text := string(out)
	if b.partition != "" {
		text = strings.ReplaceAll(text, b.partition, "aws-us-gov")
	}
	return len(cdkToken.ReplaceAllString(text, strings.Repeat("x", maxTokenValue)))
}

// cdkToken is how a CDK token (a value CloudFormation fills in) reads in a
// Go string; maxTokenValue bounds what the estate's references resolve to
// (an IAM ARN of the estate's names).
var cdkToken = regexp.MustCompile(`\$\{Token\[[^\]]*\]\}`)

const maxTokenValue = 128

// packStatements fills policy documents of at most maxManagedPolicySize
// with statements, in order. A statement that does not fit the room left
// in a document is split: the head of its longer list (actions or
// resources) that fits goes there, the rest on into the next document.
// Each part keeps the statement's effect and condition, so together they
// allow and deny what it did; the parts' Sids get 1, 2, … appended.
func packStatements(statements []map[string]any, size func([]map[string]any) int) [][]map[string]any {
	var docs [][]map[string]any
	var doc []map[string]any
	fits := func(s map[string]any) bool { return size(append(slices.Clone(doc), s)) <= maxManagedPolicySize }
	for _, s := range statements {
		sid, _ := s["Sid"].(string)
		rest, part := s, 0
		for {
			if part > 0 && sid != "" {
				rest = maps.Clone(rest)
				rest["Sid"] = fmt.Sprintf("%s%d", sid, part+1)
			}
			if fits(rest) {
				doc = append(doc, rest)
				break
			}
			head, tail := splitHead(rest, sid, part+1, fits)
			if head == nil {
				if len(doc) == 0 {
					panic(fmt.Sprintf("a part of statement %s is larger than a managed policy", sid))
				}
				docs, doc = append(docs, doc), nil
				continue
			}
			docs, doc = append(docs, append(doc, head)), nil
			rest, part = tail, part+1
		}
	}
	if len(doc) > 0 {
		docs = append(docs, doc)
	}
	return docs
}

// splitHead splits s into the longest head of its longer list (Resource
// or Action) that fits, named sid followed by n, and the rest; nil when not
// even one item fits.
func splitHead(s map[string]any, sid string, n int, fits func(map[string]any) bool) (head, rest map[string]any) {
	key := "Action"
	if listSize(s["Resource"]) > listSize(s["Action"]) {
		key = "Resource"
	}
	list := asList(s[key])
	with := func(items []any) map[string]any {
		part := maps.Clone(s)
		part[key] = items
		if sid != "" {
			part["Sid"] = fmt.Sprintf("%s%d", sid, n)
		}
		return part
	}
	k := 0
	for k < len(list)-1 && fits(with(list[:k+1])) {
		k++
	}
	if k == 0 {
		return nil, nil
	}
	return with(list[:k]), with(list[k:])
}

// asList is a statement's Action or Resource as a list ([]string or []any);
// nil for a single value.
func asList(v any) []any {
	switch v := v.(type) {
	case []any:
		return v
	case []string:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = x
		}
		return out
	}
	return nil
}

// listSize is the JSON size of a statement's Action or Resource.
func listSize(v any) int {
	out, _ := json.Marshal(v)
	return len(out)
}
