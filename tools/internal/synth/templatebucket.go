package synth

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"

	"gitops/tools/internal/stacks"
)

// templateBucket is where apply uploads the templates of this account and
// region that are too large to send inline (over 51,200 bytes, up to
// CloudFormation's 1 MB), made by the deploy-role stack in its own region.
// The policy names the roles by GetAtt, as this stack makes them.
func (b *builder) templateBucket(spec *stacks.DeployRoleSpec) {
	deploy := map[string]any{"Fn::GetAtt": []any{"DeployRole", "Arn"}}
	var plan any
	if len(spec.PlanTrusted) > 0 {
		plan = map[string]any{"Fn::GetAtt": []any{"PlanRole", "Arn"}}
	}
	bucket := b.templateBucketFor(stacks.TemplateBucketName(b.spec.AccountID, b.spec.Region), deploy, plan)
	acknowledge(bucket, "S1", "It holds only copies of generated/'s templates, which apply uploads for CloudFormation and which expire after 30 days; it exists before the account's log bucket, whose stack deploys through this one, and CloudTrail records who writes it.")
}

// regionalTemplateBucket builds a template-bucket stack: the account's
// template bucket in a region other than its deploy-role stack's. The
// roles are global and made by the deploy-role stack, which this stack
// deploys after, so the policy names them by ARN.
func (b *builder) regionalTemplateBucket(spec *stacks.TemplateBucketSpec) error {
	deploy := b.globalARN("iam", b.spec.AccountID, "role/"+spec.DeployRole)
	var plan any
	if spec.PlanRole != "" {
		plan = b.globalARN("iam", b.spec.AccountID, "role/"+spec.PlanRole)
	}
	bucket := b.templateBucketFor(spec.Bucket, deploy, plan)
	acknowledge(bucket, "S1", "It holds only copies of generated/'s templates, which apply uploads for CloudFormation and which expire after 30 days; every stack of its region deploys after it, the region's log bucket too, and CloudTrail records who writes it.")
	return nil
}

// templateBucketFor makes a template bucket. The deploy role may write and
// read apply/ and plan/, the plan role (when there is one) plan/ only;
// uploads expire after 30 days: CloudFormation keeps the templates it used.
func (b *builder) templateBucketFor(name string, deployRole, planRole any) awss3.CfnBucket {
	return b.privateBucket("TemplateBucket", name, nil, false, 30,
		func(bucket, _ *string) []map[string]any {
			folder := func(apply bool) any {
				return awscdk.Fn_Join(str(""), &[]*string{bucket, str("/" + stacks.TemplatePrefix(apply) + "*")})
			}
			// The deploy role plans and applies; the plan role, which a
			// merge request's CI holds, only plans: were it to write
			// apply/, it could swap the template an apply makes a change
			// set from between the upload and CloudFormation reading it.
			statements := []map[string]any{{
				"Sid": "DeployRole", "Effect": "Allow", "Principal": map[string]any{"AWS": deployRole},
				"Action": []any{"s3:PutObject", "s3:GetObject"}, "Resource": []any{folder(true), folder(false)},
			}}
			if planRole != nil {
				statements = append(statements, map[string]any{
					"Sid": "PlanRole", "Effect": "Allow", "Principal": map[string]any{"AWS": planRole},
					"Action": []any{"s3:PutObject", "s3:GetObject"}, "Resource": folder(false),
				})
			}
			return statements
		})
}
