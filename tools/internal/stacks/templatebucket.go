package stacks

import (
	"maps"
	"slices"
)

// TemplateBucketSpec is an account's template bucket in a region other
// than its deploy-role stack's (which holds the bucket of its own region):
// apply uploads the templates of that region's stacks too large to send
// inline there. The roles are global, so the policy names them by ARN.
type TemplateBucketSpec struct {
	// Bucket is the bucket's name (TemplateBucketName).
	Bucket string `json:"bucket"`
	// DeployRole is the account's deploy role, which may write and read
	// apply/ and plan/.
	DeployRole string `json:"deployRole"`
	// PlanRole is the account's plan role, which may write and read plan/
	// only; empty when the estate has no tooling account to plan from.
	PlanRole string `json:"planRole,omitempty"`
}

const templateBucketStack = "template-bucket"

// planTemplateBuckets gives each account a template bucket in every region
// other than its deploy-role stack's where apply deploys a stack of it, and
// makes that region's stacks wait for the bucket.
//
// Every such region, not only those whose templates are over the inline
// limit today: a template's size is known only once it is synthesized,
// after the plan validate checks, and an estate edit can push any stack
// past 51,200 bytes; an empty bucket costs nothing. And a bucket in the
// stack's own region, not the deploy-role region's: CloudFormation's API
// reference has asked for a TemplateURL "in an S3 bucket in the same region
// as the stack", and in the China and GovCloud partitions S3 endpoints are
// regional, so a read from another region fails there; and the template
// never leaves the region (no cross-region read, the data stays where the
// estate put it).
func (p *planner) planTemplateBuckets() {
	for _, id := range slices.Sorted(maps.Keys(p.stacks)) {
		s := p.stacks[id]
		if s.DeployedBy != "" || s.Kind == KindDeployRole {
			// Application stacks go out through their pipelines, which
			// read templates from their own artifact buckets.
			continue
		}
		a := p.ix.Accounts[s.Account]
		if a == nil || len(a.Regions) == 0 || s.Region == a.Regions[0] {
			continue
		}
		roles := p.stacks[StackID(a.Name, a.Regions[0], deployRoleStack)]
		if roles == nil {
			continue
		}
		bucket := p.stacks[StackID(s.Account, s.Region, templateBucketStack)]
		if bucket == nil {
			if bucket = p.newStack(KindTemplateBucket, s.Account, s.Region, templateBucketStack); bucket == nil {
				continue
			}
			spec := &TemplateBucketSpec{Bucket: TemplateBucketName(s.AccountID, s.Region), DeployRole: roles.DeployRole.RoleName}
			if len(roles.DeployRole.PlanTrusted) > 0 {
				spec.PlanRole = PlanRoleName
			}
			bucket.TemplateBucket = spec
		}
		p.dependOn(s, bucket)
	}
}

// templateBuckets names the template buckets of every account, by account
// id, sorted: the deploy-role stack's and the template-bucket stacks'.
func (p *planner) templateBuckets() map[string][]string {
	out := map[string][]string{}
	for _, s := range p.stacks {
		switch s.Kind {
		case KindDeployRole:
			out[s.AccountID] = append(out[s.AccountID], TemplateBucketName(s.AccountID, s.Region))
		case KindTemplateBucket:
			out[s.AccountID] = append(out[s.AccountID], s.TemplateBucket.Bucket)
		}
	}
	for _, names := range out {
		slices.Sort(names)
	}
	return out
}
