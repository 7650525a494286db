package synth

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"

	"gitops/tools/internal/stacks"
)

// deployRole builds the account's deploy role — assumed by the pipeline
// roles of the tooling accounts, allowed to run change sets on the estate's
// stacks and nothing else — and the CloudFormation service role those
// change sets run with.
func (b *builder) deployRole(spec *stacks.DeployRoleSpec) error {
	exec := awsiam.NewCfnRole(b.st, id("ExecutionRole"), &awsiam.CfnRoleProps{
		RoleName:                 str(spec.ExecutionRoleName),
		Description:              str("CloudFormation runs the gitops change sets with this role"),
		AssumeRolePolicyDocument: serviceTrust("cloudformation.amazonaws.com", b.spec.AccountID),
		// Like the CDK bootstrap's execution role: the stacks create IAM
		// roles, VPCs, databases, … The deploy role is the narrow door.
		ManagedPolicyArns: &[]any{b.globalARN("iam", "aws", "policy/AdministratorAccess")},
	})

	var principals, pipelineRoles []any
	for _, a := range spec.TrustedAccountIDs {
		principals = append(principals, b.globalARN("iam", a, "root"))
		pipelineRoles = append(pipelineRoles, b.globalARN("iam", a, "role/"+stacks.PipelineRolePattern))
	}
	trust := policy(map[string]any{
		"Effect":    "Allow",
		"Principal": map[string]any{"AWS": principals},
		"Action":    "sts:AssumeRole",
		"Condition": map[string]any{"ArnLike": map[string]any{"aws:PrincipalArn": pipelineRoles}},
	})
	stackARN := b.arnAnyRegion("cloudformation", "stack/"+spec.StackNamePattern+"/*")
	awsiam.NewCfnRole(b.st, id("DeployRole"), &awsiam.CfnRoleProps{
		RoleName:                 str(spec.RoleName),
		Description:              str("The gitops pipelines deploy the estate's stacks through this role"),
		AssumeRolePolicyDocument: trust,
		Policies: &[]any{&awsiam.CfnRole_PolicyProperty{
			PolicyName: str("run-change-sets"),
			PolicyDocument: policy(
				statement("Allow", []string{
					"cloudformation:CreateChangeSet", "cloudformation:DeleteChangeSet",
					"cloudformation:DescribeChangeSet", "cloudformation:ExecuteChangeSet",
					"cloudformation:ListChangeSets", "cloudformation:DescribeStacks",
					"cloudformation:DescribeStackEvents", "cloudformation:GetTemplate",
					"cloudformation:GetTemplateSummary", "cloudformation:ContinueUpdateRollback",
					// apply deletes a new stack that failed (ROLLBACK_COMPLETE)
					// before creating it again; stateful resources are retained.
					"cloudformation:DeleteStack",
				}, stackARN),
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
			),
		}},
	})
	return nil
}

// arnAnyRegion builds an ARN of this account matching every region.
func (b *builder) arnAnyRegion(service, resource string) *string {
	return awscdk.Fn_Join(str(""), &[]*string{
		str("arn:"), awscdk.Aws_PARTITION(), str(":" + service + ":*:" + b.spec.AccountID + ":" + resource),
	})
}
