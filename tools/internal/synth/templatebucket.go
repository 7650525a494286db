package synth

import (
	"gitops/tools/internal/stacks"
)

// templateBucket is where apply uploads the templates of this account that
// are too large to send inline (over 51,200 bytes, up to CloudFormation's
// 1 MB). The deploy and plan roles of this stack may write and read it
// (the policy names them by GetAtt, so it follows them); uploads expire
// after 30 days: CloudFormation keeps the templates it used.
func (b *builder) templateBucket(spec *stacks.DeployRoleSpec) {
	roles := []any{map[string]any{"Fn::GetAtt": []any{"DeployRole", "Arn"}}}
	if len(spec.PlanTrusted) > 0 {
		roles = append(roles, map[string]any{"Fn::GetAtt": []any{"PlanRole", "Arn"}})
	}
	bucket := b.privateBucket("TemplateBucket", stacks.TemplateBucketName(b.spec.AccountID, b.spec.Region), nil, false, 30,
		func(bucket, objects *string) []map[string]any {
			return []map[string]any{{
				"Sid": "DeployAndPlanRoles", "Effect": "Allow", "Principal": map[string]any{"AWS": roles},
				"Action": []any{"s3:PutObject", "s3:GetObject"}, "Resource": objects,
			}}
		})
	acknowledge(bucket, "S1", "It holds only copies of generated/'s templates, which apply uploads for CloudFormation and which expire after 30 days; it exists before the account's log bucket, whose stack deploys through this one, and CloudTrail records who writes it.")
}
