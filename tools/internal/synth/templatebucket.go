package synth

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"

	"gitops/tools/internal/stacks"
)

// templateBucket is where apply uploads the templates of this account that
// are too large to send inline (over 51,200 bytes, up to CloudFormation's
// 1 MB). The deploy role may write and read apply/ and plan/, the plan
// role plan/ only (the policy names them by GetAtt); uploads expire
// after 30 days: CloudFormation keeps the templates it used.
func (b *builder) templateBucket(spec *stacks.DeployRoleSpec) {
	bucket := b.privateBucket("TemplateBucket", stacks.TemplateBucketName(b.spec.AccountID, b.spec.Region), nil, false, 30,
		func(bucket, _ *string) []map[string]any {
			folder := func(apply bool) any {
				return awscdk.Fn_Join(str(""), &[]*string{bucket, str("/" + stacks.TemplatePrefix(apply) + "*")})
			}
			// The deploy role plans and applies; the plan role, which a
			// merge request's CI holds, only plans: were it to write
			// apply/, it could swap the template an apply makes a change
			// set from between the upload and CloudFormation reading it.
			statements := []map[string]any{{
				"Sid": "DeployRole", "Effect": "Allow", "Principal": map[string]any{"AWS": map[string]any{"Fn::GetAtt": []any{"DeployRole", "Arn"}}},
				"Action": []any{"s3:PutObject", "s3:GetObject"}, "Resource": []any{folder(true), folder(false)},
			}}
			if len(spec.PlanTrusted) > 0 {
				statements = append(statements, map[string]any{
					"Sid": "PlanRole", "Effect": "Allow", "Principal": map[string]any{"AWS": map[string]any{"Fn::GetAtt": []any{"PlanRole", "Arn"}}},
					"Action": []any{"s3:PutObject", "s3:GetObject"}, "Resource": folder(false),
				})
			}
			return statements
		})
	acknowledge(bucket, "S1", "It holds only copies of generated/'s templates, which apply uploads for CloudFormation and which expire after 30 days; it exists before the account's log bucket, whose stack deploys through this one, and CloudTrail records who writes it.")
}
