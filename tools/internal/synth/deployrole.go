package synth

import (
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"

	"gitops/tools/internal/stacks"
)

// deployRole builds the account's deploy role — assumed by the roles the
// plan names (the estate's apply role, the pipelines deploying here, the
// bake stages publishing AMIs here), allowed to run change sets on the
// estate's stacks and the applications deployed here, and to do what those
// pipelines need here and nothing more — the CloudFormation service role
// those change sets run with, and ImageBuilder's distribution role when
// other accounts' recipes distribute AMIs here.
func (b *builder) deployRole(spec *stacks.DeployRoleSpec) error {
	exec := awsiam.NewCfnRole(b.st, id("ExecutionRole"), &awsiam.CfnRoleProps{
		RoleName:                 str(spec.ExecutionRoleName),
		Description:              str("CloudFormation runs the gitops change sets with this role"),
		AssumeRolePolicyDocument: serviceTrust("cloudformation.amazonaws.com", b.spec.AccountID),
		// Like the CDK bootstrap's execution role: the stacks create IAM
		// roles, VPCs, databases, … The deploy role is the narrow door.
		ManagedPolicyArns: &[]any{b.globalARN("iam", "aws", "policy/AdministratorAccess")},
	})

	trust := b.trustRoles(spec.Trusted)
	stackARNs := []any{b.arnAnyRegion("cloudformation", "stack/"+spec.StackNamePattern+"/*")}
	for _, s := range spec.Stacks {
		stackARNs = append(stackARNs, b.arnIn("cloudformation", s.Region, "stack/"+s.Name+"/*"))
	}
	statements := []map[string]any{
		statement("Allow", []string{
			"cloudformation:CreateChangeSet", "cloudformation:DeleteChangeSet",
			"cloudformation:DescribeChangeSet", "cloudformation:ExecuteChangeSet",
			"cloudformation:ListChangeSets", "cloudformation:DescribeStacks",
			"cloudformation:DescribeStackEvents", "cloudformation:GetTemplate",
			"cloudformation:GetTemplateSummary", "cloudformation:ContinueUpdateRollback",
		}, stackARNs...),
		// apply deletes a new stack that failed (ROLLBACK_COMPLETE)
		// before creating it again; stateful resources are retained. The
		// pipelines' application stacks are not apply's.
		statement("Allow", []string{"cloudformation:DeleteStack"}, stackARNs[0]),
		statement("Allow", []string{"cloudformation:ValidateTemplate", "cloudformation:DescribeStacks"}, "*"),
		// apply copies a pinned GitLab image into the estate's ECR
		// repositories (gitops-<service>/…) and nowhere else.
		statement("Allow", []string{"ecr:GetAuthorizationToken"}, "*"),
		statement("Allow", []string{
			"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:DescribeImages",
			"ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage",
		}, b.arnAnyRegion("ecr", "repository/gitops-*")),
		withCondition(
			statement("Allow", []string{"iam:PassRole"}, exec.AttrArn()),
			map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "cloudformation.amazonaws.com"}}),
	}
	statements = append(statements, b.pipelineGrants(spec)...)
	statements = append(statements, b.applyGrants(spec)...)
	statements = append(statements, b.privateZoneGrants(spec.PrivateZones)...)
	awsiam.NewCfnRole(b.st, id("DeployRole"), &awsiam.CfnRoleProps{
		RoleName:                 str(spec.RoleName),
		Description:              str("The gitops pipelines deploy the estate's stacks through this role"),
		AssumeRolePolicyDocument: trust,
		Policies: &[]any{&awsiam.CfnRole_PolicyProperty{
			PolicyName:     str("run-change-sets"),
			PolicyDocument: policy(statements...),
		}},
	})
	if len(spec.PlanTrusted) > 0 {
		awsiam.NewCfnRole(b.st, id("PlanRole"), &awsiam.CfnRoleProps{
			RoleName:                 str(stacks.PlanRoleName),
			Description:              str("Merge-request CI plans the estate's change sets through this role; it cannot execute them"),
			AssumeRolePolicyDocument: b.trustRoles(spec.PlanTrusted),
			Policies: &[]any{&awsiam.CfnRole_PolicyProperty{
				PolicyName: str("plan-change-sets"),
				PolicyDocument: policy(
					statement("Allow", []string{
						"cloudformation:CreateChangeSet", "cloudformation:DeleteChangeSet",
						"cloudformation:DescribeChangeSet", "cloudformation:ListChangeSets",
						"cloudformation:DescribeStacks", "cloudformation:DescribeStackEvents",
						"cloudformation:GetTemplate", "cloudformation:GetTemplateSummary",
					}, stackARNs...),
					statement("Allow", []string{"cloudformation:ValidateTemplate", "cloudformation:DescribeStacks"}, "*"),
					// A change set names the role CloudFormation will run it with;
					// naming it is not running it.
					withCondition(
						statement("Allow", []string{"iam:PassRole"}, exec.AttrArn()),
						map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "cloudformation.amazonaws.com"}}),
				),
			}},
		})
	}
	if len(spec.ImageBuilderAccountIDs) > 0 {
		var builders, serviceRoles []any
		for _, a := range spec.ImageBuilderAccountIDs {
			builders = append(builders, b.globalARN("iam", a, "root"))
			serviceRoles = append(serviceRoles, b.globalARN("iam", a, "role/aws-service-role/imagebuilder.amazonaws.com/AWSServiceRoleForImageBuilder"))
		}
		awsiam.NewCfnRole(b.st, id("DistributionRole"), &awsiam.CfnRoleProps{
			RoleName:    str(stacks.DistributionRoleName),
			Description: str("ImageBuilder in the accounts building the estate's AMIs copies them into this account"),
			// Only ImageBuilder's service-linked role in the building accounts,
			// not any principal there allowed sts:AssumeRole on *.
			AssumeRolePolicyDocument: policy(map[string]any{
				"Effect": "Allow", "Principal": map[string]any{"AWS": builders}, "Action": "sts:AssumeRole",
				"Condition": map[string]any{"ArnEquals": map[string]any{"aws:PrincipalArn": serviceRoles}},
			}),
			ManagedPolicyArns: &[]any{b.globalARN("iam", "aws", "policy/Ec2ImageBuilderCrossAccountDistributionAccess")},
		})
	}
	return nil
}

// pipelineGrants are the deploy role's rights for the pipelines deploying
// here: read their artifacts (through S3 only), update their ECS
// services, and let gitops bake write the AMI parameters.
func (b *builder) pipelineGrants(spec *stacks.DeployRoleSpec) []map[string]any {
	var out []map[string]any
	if len(spec.Artifacts) > 0 {
		var objects, keys []any
		var services []string
		for _, a := range spec.Artifacts {
			objects = append(objects, b.globalARN("s3", "", a.Bucket+"/*"))
			keys = append(keys, awscdk.Fn_Join(str(""), &[]*string{
				str("arn:"), awscdk.Aws_PARTITION(), str(":kms:" + a.Region + ":" + a.AccountID + ":key/*"),
			}))
			if s := "s3." + a.Region + ".amazonaws.com"; !slices.Contains(services, s) {
				services = append(services, s)
			}
		}
		out = append(out,
			statement("Allow", []string{"s3:GetObject", "s3:GetObjectVersion"}, objects...),
			withCondition(statement("Allow", []string{"kms:Decrypt", "kms:DescribeKey"}, keys...),
				map[string]any{"StringEquals": map[string]any{"kms:ViaService": services}}),
		)
	}
	if len(spec.ECSServices) > 0 {
		var svcs []any
		for _, s := range spec.ECSServices {
			svcs = append(svcs, b.arnIn("ecs", s.Region, "service/"+s.Cluster+"/"+s.Service))
		}
		out = append(out,
			statement("Allow", []string{"ecs:DescribeServices", "ecs:UpdateService"}, svcs...),
			statement("Allow", []string{"ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition"}, "*"),
			withCondition(statement("Allow", []string{"iam:PassRole"}, b.globalARN("iam", b.spec.AccountID, "role/*")),
				map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "ecs-tasks.amazonaws.com"}}),
		)
	}
	if len(spec.AMIParameters) > 0 {
		var params []any
		for _, p := range spec.AMIParameters {
			params = append(params, b.arnIn("ssm", p.Region, "parameter"+p.Name))
		}
		out = append(out,
			statement("Allow", []string{"ssm:GetParameter", "ssm:LabelParameterVersion", "ssm:PutParameter"}, params...),
			// SSM checks an aws:ec2:image value with the writer's rights.
			statement("Allow", []string{"ec2:DescribeImages"}, "*"),
		)
	}
	return out
}

// arnAnyRegion builds an ARN of this account matching every region.
func (b *builder) arnAnyRegion(service, resource string) *string {
	return awscdk.Fn_Join(str(""), &[]*string{
		str("arn:"), awscdk.Aws_PARTITION(), str(":" + service + ":*:" + b.spec.AccountID + ":" + resource),
	})
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

// applyGrants lets apply do its steps between stacks here: keep GitLab's
// SMTP user's access key and secret current and restart its service (that
// user, that secret, that service only), and accept the RAM invitations of
// the declared share owners.
func (b *builder) applyGrants(spec *stacks.DeployRoleSpec) []map[string]any {
	var out []map[string]any
	for _, c := range spec.SMTPCredentials {
		out = append(out,
			statement("Allow", []string{"iam:ListAccessKeys", "iam:CreateAccessKey", "iam:DeleteAccessKey"}, b.globalARN("iam", b.spec.AccountID, "user/"+c.User)),
			statement("Allow", []string{"secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"}, b.arnIn("secretsmanager", c.Region, "secret:"+c.Secret+"-*")),
			statement("Allow", []string{"ecs:UpdateService"}, b.arnIn("ecs", c.Region, "service/"+c.Cluster+"/"+c.Service)),
		)
	}
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
