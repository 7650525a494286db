package synthetic

import (
	"slices"
	"testing"

	"gitops/tools/internal/stacks"
)

// checkTemplateBuckets: every stack apply deploys can upload a template
// too large to send inline to its account's bucket in its own region — the
// deploy-role stack's, or a template-bucket stack it deploys after — which
// the account's deploy role may write; and no account gets a template
// bucket in a region where apply deploys nothing of it. It returns how
// many template-bucket stacks the plan holds.
func checkTemplateBuckets(t *testing.T, seed uint64, p *stacks.Plan) int {
	t.Helper()
	deployRoles := map[string]*stacks.Stack{}  // by account id
	bucketStacks := map[string]*stacks.Stack{} // by account id and region
	for _, s := range p.Stacks {
		switch s.Kind {
		case stacks.KindDeployRole:
			deployRoles[s.AccountID] = s
		case stacks.KindTemplateBucket:
			key := s.AccountID + "/" + s.Region
			if bucketStacks[key] != nil {
				t.Errorf("seed %d: two template-bucket stacks in %s", seed, key)
			}
			bucketStacks[key] = s
		}
	}
	used := map[string]bool{}
	for _, s := range p.Stacks {
		if s.DeployedBy != "" || s.Kind == stacks.KindDeployRole || s.Kind == stacks.KindTemplateBucket {
			continue
		}
		roles := deployRoles[s.AccountID]
		if roles == nil {
			t.Errorf("seed %d: %s has no deploy-role stack in its account", seed, s.ID)
			continue
		}
		if s.Region == roles.Region {
			continue
		}
		key := s.AccountID + "/" + s.Region
		used[key] = true
		b := bucketStacks[key]
		switch {
		case b == nil:
			t.Errorf("seed %d: %s has no template bucket in its region", seed, s.ID)
		case !slices.Contains(s.DependsOn, b.ID):
			t.Errorf("seed %d: %s does not deploy after %s", seed, s.ID, b.ID)
		case !slices.Contains(roles.DeployRole.TemplateBuckets, stacks.TemplateBucketName(s.AccountID, s.Region)):
			t.Errorf("seed %d: the deploy role of %s may not write %s", seed, s.Account, b.TemplateBucket.Bucket)
		}
	}
	for key, b := range bucketStacks {
		if !used[key] {
			t.Errorf("seed %d: %s holds a template bucket no stack of its region needs", seed, b.ID)
		}
	}
	return len(bucketStacks)
}
